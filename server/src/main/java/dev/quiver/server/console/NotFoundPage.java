package dev.quiver.server.console;

/** The page for a name nothing registered has: what was asked for, and where to look instead. */
final class NotFoundPage {

  private NotFoundPage() {}

  static String render(ConsoleState state, String kind, String name) {
    Page page = state.page("Not found", null);
    page.heading(kind, name);
    page.raw("<section class=\"panel\"><p class=\"error\">There is no ")
        .text(kind)
        .raw(" '")
        .text(name)
        .raw("' in registry version ")
        .text(Long.toString(state.snapshot().version()))
        .raw(".</p><p>")
        .link("/ui?q=" + Page.segment(name), "Search the project for '" + name + "'")
        .raw("</p></section>");
    return page.finish();
  }

  /** For a path under {@code /ui} that is no console page. */
  static String noPage(String path) {
    Page page = Page.bare("Not found");
    page.raw("<section class=\"panel\"><h1>No such page</h1><p class=\"error\">")
        .text("There is no console page at " + path + ".")
        .raw("</p><p>")
        .link("/ui", "The project's overview")
        .raw("</p></section>");
    return page.finish();
  }
}
