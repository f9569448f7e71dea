package dev.quiver.cli;

/** What the process is attached to, to decide on colour and progress output. */
final class Terminal {

  private Terminal() {}

  /** Whether a person is watching: progress bars only then. */
  static boolean interactive() {
    return System.console() != null && !"dumb".equals(System.getenv("TERM"));
  }

  /** Colour only on an interactive terminal, and never when NO_COLOR is set. */
  static boolean colour() {
    return System.console() != null
        && System.getenv("NO_COLOR") == null
        && !"dumb".equals(System.getenv("TERM"));
  }
}
