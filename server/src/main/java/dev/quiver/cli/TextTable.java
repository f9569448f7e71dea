package dev.quiver.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * A plain aligned table: columns padded to their widest cell, two spaces apart, no trailing blanks.
 * A cell may carry a colour, which never changes the alignment.
 */
final class TextTable {

  /** ANSI colours for cells; only used when the output is a terminal. */
  enum Colour {
    NONE(""),
    GREEN("\u001B[32m"),
    YELLOW("\u001B[33m"),
    RED("\u001B[31m"),
    BOLD("\u001B[1m");

    final String code;

    Colour(String code) {
      this.code = code;
    }
  }

  record Cell(String text, Colour colour) {}

  private final List<String> headers;
  private final List<List<Cell>> rows = new ArrayList<>();

  TextTable(String... headers) {
    this.headers = List.of(headers);
  }

  void add(String... cells) {
    List<Cell> row = new ArrayList<>();
    for (String cell : cells) {
      row.add(new Cell(cell, Colour.NONE));
    }
    rows.add(row);
  }

  void add(List<Cell> cells) {
    rows.add(List.copyOf(cells));
  }

  boolean isEmpty() {
    return rows.isEmpty();
  }

  void print(PrintWriter out, boolean colour) {
    int[] widths = new int[headers.size()];
    for (int i = 0; i < headers.size(); i++) {
      widths[i] = headers.get(i).length();
    }
    for (List<Cell> row : rows) {
      for (int i = 0; i < row.size(); i++) {
        widths[i] = Math.max(widths[i], row.get(i).text().length());
      }
    }
    List<Cell> headerCells = new ArrayList<>();
    headers.forEach(h -> headerCells.add(new Cell(h, Colour.BOLD)));
    printRow(out, headerCells, widths, colour);
    for (List<Cell> row : rows) {
      printRow(out, row, widths, colour);
    }
  }

  private static void printRow(PrintWriter out, List<Cell> row, int[] widths, boolean colour) {
    StringBuilder line = new StringBuilder();
    int last = row.size() - 1;
    while (last > 0 && row.get(last).text().isEmpty()) {
      last--;
    }
    for (int i = 0; i <= last; i++) {
      Cell cell = row.get(i);
      boolean painted = colour && cell.colour() != Colour.NONE;
      if (painted) {
        line.append(cell.colour().code);
      }
      line.append(cell.text());
      if (painted) {
        line.append("\u001B[0m");
      }
      if (i < last) {
        line.append(" ".repeat(widths[i] - cell.text().length() + 2));
      }
    }
    out.println(line);
  }
}
