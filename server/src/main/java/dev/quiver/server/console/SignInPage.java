package dev.quiver.server.console;

/**
 * {@code /ui/login}: asks for the server's read token once, when one is set; the console then keeps
 * a cookie ({@link dev.quiver.server.ConsoleAccess}).
 */
final class SignInPage {

  private SignInPage() {}

  static String render(String next, String error) {
    Page page = Page.bare("Sign in");
    page.raw("<section class=\"panel\"><h1>Quiver console</h1>")
        .raw("<p class=\"sub\">This server asks for its read token (")
        .raw("<code>quiver.server.read-token</code> or <code>QUIVER_READ_TOKEN</code>).</p>");
    if (error != null) {
      page.raw("<p class=\"error\" id=\"sign-in-error\">").text(error).raw("</p>");
    }
    page.raw("<form class=\"search\" method=\"post\" action=\"/ui/login\">")
        .raw("<input type=\"hidden\" name=\"next\" value=\"")
        .text(next)
        .raw("\"><input type=\"password\" name=\"token\" id=\"token\" placeholder=\"read token\"")
        .raw(" autocomplete=\"current-password\" autofocus required>")
        .raw("<button type=\"submit\" id=\"sign-in\">Sign in</button></form></section>");
    return page.finish();
  }
}
