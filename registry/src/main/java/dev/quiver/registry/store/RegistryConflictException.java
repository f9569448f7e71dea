package dev.quiver.registry.store;

import dev.quiver.ErrorKind;

/**
 * A commit refused because the registry moved on after the commit was planned: someone else applied
 * in between. Nothing was written; planning again against the new version is safe.
 */
public class RegistryConflictException extends RegistryException {

  private final long expectedVersion;
  private final long actualVersion;

  public RegistryConflictException(String registry, long expectedVersion, long actualVersion) {
    super(
        "Cannot commit to the "
            + registry
            + ": it is at version "
            + actualVersion
            + ", but this change was planned against version "
            + expectedVersion
            + " (another apply committed in between); nothing was written, plan and apply again");
    this.expectedVersion = expectedVersion;
    this.actualVersion = actualVersion;
  }

  public long expectedVersion() {
    return expectedVersion;
  }

  public long actualVersion() {
    return actualVersion;
  }

  @Override
  public ErrorKind kind() {
    return ErrorKind.CONFLICT;
  }
}
