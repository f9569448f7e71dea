package dev.quiver.benchmarks;

import java.util.Arrays;

/** Medians of repeated timings, since one run on a shared machine says little. */
final class Measurements {

  private Measurements() {}

  static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  static String format(double[] values) {
    StringBuilder text = new StringBuilder();
    for (double v : values) {
      text.append(text.length() == 0 ? "" : " ").append(String.format("%.2f", v));
    }
    return text.toString();
  }
}
