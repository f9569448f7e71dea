package dev.quiver.registry.load;

import dev.quiver.registry.model.SourceLocation;
import java.util.ArrayList;
import java.util.List;

/** Collects problems while a repo is read, so that all of them are reported at once. */
final class Problems {

  private final List<Problem> found = new ArrayList<>();

  void add(SourceLocation location, String message) {
    found.add(new Problem(location, message));
  }

  int size() {
    return found.size();
  }

  boolean isEmpty() {
    return found.isEmpty();
  }

  List<Problem> all() {
    return List.copyOf(found);
  }

  void throwIfAny() {
    if (!found.isEmpty()) {
      throw new DefinitionException(found);
    }
  }
}
