package dev.stasis.agent.kubectl;

import java.io.PrintWriter;
import java.util.List;

/** Columns as kubectl aligns them: each as wide as its widest cell, three spaces apart. */
final class Tables {
  private Tables() {}

  static void print(PrintWriter out, List<String[]> rows) {
    print(out, rows, "");
  }

  static void print(PrintWriter out, List<String[]> rows, String indent) {
    int columns = rows.get(0).length;
    int[] widths = new int[columns];
    for (String[] row : rows) {
      for (int i = 0; i < columns; i++) {
        widths[i] = Math.max(widths[i], cell(row[i]).length());
      }
    }
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder(indent);
      for (int i = 0; i < columns; i++) {
        line.append(cell(row[i]));
        if (i < columns - 1) {
          line.append(" ".repeat(widths[i] - cell(row[i]).length() + 3));
        }
      }
      out.println(line.toString().stripTrailing());
    }
    out.flush();
  }

  private static String cell(String s) {
    return s == null ? "" : s.replace('\n', ' ');
  }
}
