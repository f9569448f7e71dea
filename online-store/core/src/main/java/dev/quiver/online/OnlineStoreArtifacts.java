package dev.quiver.online;

import dev.quiver.registry.plugin.StoreArtifacts;
import dev.quiver.registry.plugin.StoreKind;
import java.util.Map;
import java.util.Optional;

/**
 * Which artifact provides each of Quiver's own online store types, so that a repo naming a type
 * whose artifact the application left out is told which to add. Only names artifacts: the types'
 * options are declared by their factories.
 */
public final class OnlineStoreArtifacts implements StoreArtifacts {

  private static final Map<String, String> ARTIFACTS =
      Map.of(
          "rocksdb", "dev.quiver:quiver-online-store-rocksdb",
          "redis", "dev.quiver:quiver-online-store-redis",
          "redis-cluster", "dev.quiver:quiver-online-store-redis");

  @Override
  public Optional<String> artifactOf(StoreKind kind, String type) {
    return kind == StoreKind.ONLINE_STORE
        ? Optional.ofNullable(ARTIFACTS.get(type))
        : Optional.empty();
  }
}
