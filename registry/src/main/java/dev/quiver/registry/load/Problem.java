package dev.quiver.registry.load;

import dev.quiver.registry.model.SourceLocation;
import java.util.Comparator;
import java.util.Objects;

/** One thing wrong with a feature repo, printed as {@code file:line: message}. */
public record Problem(SourceLocation location, String message) implements Comparable<Problem> {

  private static final Comparator<Problem> ORDER =
      Comparator.comparing((Problem p) -> p.location().file())
          .thenComparingInt(p -> p.location().line())
          .thenComparing(Problem::message);

  public Problem {
    Objects.requireNonNull(location, "location");
    Objects.requireNonNull(message, "message");
  }

  @Override
  public int compareTo(Problem other) {
    return ORDER.compare(this, other);
  }

  @Override
  public String toString() {
    return location + ": " + message;
  }
}
