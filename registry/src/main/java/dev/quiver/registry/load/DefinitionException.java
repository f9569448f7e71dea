package dev.quiver.registry.load;

import dev.quiver.ErrorKind;
import dev.quiver.QuiverException;
import java.util.List;
import java.util.stream.Collectors;

/** A feature repo that cannot be registered, with every problem found in it. */
public class DefinitionException extends QuiverException {

  private final List<Problem> problems;

  public DefinitionException(List<Problem> problems) {
    super(
        problems.stream().sorted().map(Problem::toString).collect(Collectors.joining("\n")), null);
    if (problems.isEmpty()) {
      throw new IllegalArgumentException("a DefinitionException needs at least one problem");
    }
    this.problems = problems.stream().sorted().toList();
  }

  /** The problems, ordered by file and line. */
  public List<Problem> problems() {
    return problems;
  }

  @Override
  public ErrorKind kind() {
    return ErrorKind.INVALID_DEFINITION;
  }
}
