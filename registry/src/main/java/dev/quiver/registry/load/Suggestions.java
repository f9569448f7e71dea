package dev.quiver.registry.load;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/** "Did you mean" hints: the closest known name to a misspelt one, when one is close enough. */
public final class Suggestions {

  private Suggestions() {}

  /** The candidate nearest to {@code value} by edit distance, if it is plausibly a typo. */
  public static Optional<String> closest(String value, Collection<String> candidates) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : candidates) {
      int distance =
          editDistance(value.toLowerCase(Locale.ROOT), candidate.toLowerCase(Locale.ROOT));
      if (distance < bestDistance) {
        best = candidate;
        bestDistance = distance;
      }
    }
    int allowed = Math.max(1, Math.min(3, value.length() / 3));
    return best != null && bestDistance <= allowed ? Optional.of(best) : Optional.empty();
  }

  /**
   * As {@link #closest}, or else the nearest candidate that is {@code value} with words added or
   * dropped at either end ({@code updated_at} for {@code updated}, {@code merchant} for {@code
   * merchant_id}), as column names in data often are. Not for keywords: {@code feature_views} is no
   * hint for {@code on_demand_feature_views}.
   */
  public static Optional<String> closestName(String value, Collection<String> candidates) {
    Optional<String> typo = closest(value, candidates);
    if (typo.isPresent()) {
      return typo;
    }
    String lower = value.toLowerCase(Locale.ROOT);
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : candidates) {
      String other = candidate.toLowerCase(Locale.ROOT);
      int distance = editDistance(lower, other);
      if (distance < bestDistance && (addsWords(lower, other) || addsWords(other, lower))) {
        best = candidate;
        bestDistance = distance;
      }
    }
    return Optional.ofNullable(best);
  }

  /** Whether {@code longer} is {@code shorter} with words added before or after it. */
  private static boolean addsWords(String shorter, String longer) {
    return shorter.length() >= 3
        && (longer.startsWith(shorter + "_") || longer.endsWith("_" + shorter));
  }

  /** {@code " (did you mean 'x'?)"}, or an empty string when nothing is close. */
  public static String hint(String value, Collection<String> candidates) {
    return hintOf(closest(value, candidates));
  }

  /** As {@link #hint}, with {@link #closestName}. */
  public static String nameHint(String value, Collection<String> candidates) {
    return hintOf(closestName(value, candidates));
  }

  private static String hintOf(Optional<String> candidate) {
    return candidate.map(c -> " (did you mean '" + c + "'?)").orElse("");
  }

  /** Optimal string alignment distance: Levenshtein plus transposition of neighbours. */
  static int editDistance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1
            && j > 1
            && a.charAt(i - 1) == b.charAt(j - 2)
            && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }
}
