package dev.quiver.registry.plugin;

import java.util.List;
import java.util.Optional;

/**
 * An online store type declared only by this module's tests (through the test service file), so the
 * loader's checks are tested on the declaration mechanism itself, without the real backends.
 */
public final class TestOnlineStoreType implements StoreType {

  @Override
  public StoreKind kind() {
    return StoreKind.ONLINE_STORE;
  }

  @Override
  public String type() {
    return "test-kv";
  }

  @Override
  public List<String> requiredOptions() {
    return List.of("url");
  }

  @Override
  public List<String> optionalOptions() {
    return List.of("path", "timeout_ms");
  }

  /** Knows one online store type that no artifact on the test class path provides. */
  public static final class Artifacts implements StoreArtifacts {
    @Override
    public Optional<String> artifactOf(StoreKind kind, String type) {
      return kind == StoreKind.ONLINE_STORE && type.equals("test-remote")
          ? Optional.of("dev.quiver:quiver-test-remote")
          : Optional.empty();
    }
  }
}
