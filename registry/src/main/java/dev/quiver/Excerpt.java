package dev.quiver;

/**
 * What an error message shows of a value it was given: the value whole when it is short, else its
 * start and an ellipsis, so a message about a 5 MB value is not 5 MB long.
 */
public final class Excerpt {

  /** The most characters of a value a message quotes. */
  public static final int LIMIT = 200;

  private Excerpt() {}

  /** {@code value} as text, its first {@value #LIMIT} characters with "…" when it was cut. */
  public static String of(Object value) {
    return of(String.valueOf(value), LIMIT);
  }

  /** {@code text}'s first {@code limit} characters, with "…" when it was cut. */
  public static String of(String text, int limit) {
    if (text.length() <= limit) {
      return text;
    }
    // A surrogate pair is not split in two.
    int end = Character.isHighSurrogate(text.charAt(limit - 1)) ? limit - 1 : limit;
    return text.substring(0, end) + "…";
  }
}
