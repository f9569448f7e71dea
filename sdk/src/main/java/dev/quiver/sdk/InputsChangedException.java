package dev.quiver.sdk;

import dev.quiver.ErrorKind;
import dev.quiver.QuiverException;
import java.util.List;

/** {@code reproduce} refused: inputs recorded in the manifest are not what they were. */
public class InputsChangedException extends QuiverException {

  private final List<String> changes;

  public InputsChangedException(List<String> changes) {
    super(
        "Cannot reproduce: "
            + (changes.size() == 1 ? "an input changed" : changes.size() + " inputs changed")
            + " since the manifest was written: "
            + String.join("; ", changes));
    this.changes = List.copyOf(changes);
  }

  /** One line per changed input, naming it. */
  public List<String> changes() {
    return changes;
  }

  @Override
  public ErrorKind kind() {
    return ErrorKind.CONFLICT;
  }
}
