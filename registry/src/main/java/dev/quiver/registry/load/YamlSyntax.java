package dev.quiver.registry.load;

import java.util.List;
import java.util.Optional;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;

/**
 * Says in words what a YAML syntax error is. The parser names tokens ({@code expected <block end>,
 * but found '<block mapping start>'}); people write keys, values, lists and indentation, so the
 * common mistakes are told in those terms, at the line to change. Anything else keeps the parser's
 * text.
 */
final class YamlSyntax {

  private static final int QUOTED_LINE_LIMIT = 40;

  private final List<String> lines;

  private YamlSyntax(String text) {
    this.lines = text.lines().toList();
  }

  /** Where the error is and what it is, to be reported as {@code invalid YAML: <message>}. */
  record Explanation(int line, String message) {}

  static Explanation explain(MarkedYamlEngineException e, String text) {
    return new YamlSyntax(text).explain(e);
  }

  private Explanation explain(MarkedYamlEngineException e) {
    String problem = e.getProblem() == null ? "" : e.getProblem();
    String context = e.getContext() == null ? "" : e.getContext();
    Optional<Mark> at = e.getProblemMark();
    Optional<Mark> opened = e.getContextMark();
    int line = at.map(m -> m.getLine() + 1).orElse(0);
    int column = at.map(Mark::getColumn).orElse(0);
    if (problem.startsWith("expected <block end>, but found")) {
      return new Explanation(line, misaligned(problem, line, column));
    }
    if (problem.startsWith("mapping values are not allowed here")) {
      return new Explanation(line, colonOutOfPlace(line, column));
    }
    if (problem.startsWith("could not find expected ':'") && opened.isPresent()) {
      int keyLine = opened.get().getLine() + 1;
      return new Explanation(
          keyLine, "'" + quoted(keyLine) + "' has no ':' after its key; write 'key: value'");
    }
    if (problem.startsWith("found character '\\t(TAB)'")) {
      return new Explanation(line, "a tab indents this line; YAML indents with spaces only");
    }
    if (problem.startsWith("found character '") && problem.contains("cannot start any token")) {
      char c = lineText(line).length() > column ? lineText(line).charAt(column) : '?';
      return new Explanation(
          line, "a value cannot start with '" + c + "'; put the value in quotes");
    }
    if (context.startsWith("while scanning a quoted scalar") && opened.isPresent()) {
      return new Explanation(
          opened.get().getLine() + 1, "the quoted value that starts here is never closed");
    }
    if ((context.startsWith("while parsing a flow sequence")
            || context.startsWith("while parsing a flow mapping"))
        && opened.isPresent()) {
      String bracket = context.contains("sequence") ? "[" : "{";
      String closing = context.contains("sequence") ? "]" : "}";
      int openLine = opened.get().getLine() + 1;
      if (problem.contains("<stream end>")) {
        return new Explanation(openLine, "the '" + bracket + "' opened here is never closed");
      }
      return new Explanation(
          line,
          "expected ',' or '"
              + closing
              + "' in the "
              + (bracket.equals("[") ? "list" : "mapping")
              + " opened with '"
              + bracket
              + "' at line "
              + openLine);
    }
    if (problem.startsWith("found undefined alias ")) {
      String name = problem.substring("found undefined alias ".length()).strip();
      return new Explanation(
          line, "alias '*" + name + "' names no anchor '&" + name + "' defined before it");
    }
    if (problem.startsWith("expected '<document start>'")) {
      return new Explanation(
          line,
          "this line is indented less than the first line of the file; keys of one mapping start"
              + " in the same column");
    }
    String raw = context.isEmpty() ? problem : context + ": " + problem;
    return new Explanation(line, raw);
  }

  /** A block-structure token where the parser expected the block to end: an indentation slip. */
  private String misaligned(String problem, int line, int column) {
    String text = lineText(line);
    if (problem.endsWith("'<block sequence start>'")) {
      return relativeTo(
          column,
          previousItemColumn(line),
          "this list item",
          "the items above it",
          "items of one list");
    }
    if (problem.endsWith("'?'") || problem.endsWith("'-'")) {
      String rest = text.strip();
      if (rest.startsWith("-") && rest.length() > 1 && !Character.isWhitespace(rest.charAt(1))) {
        return "'" + quoted(line) + "' is not a list item: put a space after the '-'";
      }
      return "this key lines up with the '-' of the list items above it: indent it as far as the"
          + " keys of its item, or start a new item with '- '";
    }
    if (problem.endsWith("'<block mapping start>'")) {
      return relativeTo(
          column, previousKeyColumn(line), "this key", "the keys above it", "keys of one mapping");
    }
    return "this line does not line up with the lines above it";
  }

  private static String relativeTo(
      int column, int aboveColumn, String what, String above, String together) {
    if (aboveColumn < 0 || aboveColumn == column) {
      return what + " does not line up with " + above;
    }
    return what
        + " is indented "
        + (column > aboveColumn ? "more" : "less")
        + " than "
        + above
        + " (column "
        + (column + 1)
        + ", they start at column "
        + (aboveColumn + 1)
        + "); "
        + together
        + " start in the same column";
  }

  /**
   * {@code a: b: c} (a value holding ': ') or a key indented under a plain value, which YAML reads
   * as that value's next line.
   */
  private String colonOutOfPlace(int line, int column) {
    String text = lineText(line);
    int firstColon = firstKeyColon(text);
    if (firstColon >= 0 && firstColon < column) {
      return "a value holds ': '; put it in quotes";
    }
    int key = keyColumn(text);
    int above = previousKeyColumn(line);
    if (above >= 0 && key > above) {
      return relativeTo(key, above, "this key", "the keys above it", "keys of one mapping");
    }
    return "a ':' is out of place here; a value that holds ': ' needs quotes";
  }

  private static int firstKeyColon(String text) {
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) == ':' && (i + 1 == text.length() || text.charAt(i + 1) == ' ')) {
        return i;
      }
    }
    return -1;
  }

  /** The column of the previous line's key (after any list dashes), -1 when there is none. */
  private int previousKeyColumn(int line) {
    for (int i = line - 2; i >= 0; i--) {
      if (isContent(lines.get(i))) {
        return keyColumn(lines.get(i));
      }
    }
    return -1;
  }

  /** The column of the nearest list dash above {@code line}, -1 when there is none. */
  private int previousItemColumn(int line) {
    for (int i = line - 2; i >= 0; i--) {
      String text = lines.get(i);
      if (isContent(text) && text.strip().startsWith("- ")) {
        return indentation(text);
      }
    }
    return -1;
  }

  private static boolean isContent(String text) {
    String stripped = text.strip();
    return !stripped.isEmpty() && !stripped.startsWith("#");
  }

  private static int keyColumn(String text) {
    int column = indentation(text);
    while (text.startsWith("- ", column)) {
      column = indentation(text, column + 2);
    }
    return column;
  }

  private static int indentation(String text) {
    return indentation(text, 0);
  }

  private static int indentation(String text, int from) {
    int column = from;
    while (column < text.length() && text.charAt(column) == ' ') {
      column++;
    }
    return column;
  }

  private String lineText(int line) {
    return line >= 1 && line <= lines.size() ? lines.get(line - 1) : "";
  }

  private String quoted(int line) {
    String text = lineText(line).strip();
    return text.length() <= QUOTED_LINE_LIMIT ? text : text.substring(0, QUOTED_LINE_LIMIT) + "...";
  }
}
