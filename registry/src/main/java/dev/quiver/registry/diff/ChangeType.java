package dev.quiver.registry.diff;

/** What applying a repo does to one registered object. */
public enum ChangeType {
  CREATE,
  UPDATE,
  DELETE,
  UNCHANGED;

  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
