package dev.quiver.registry.plugin;

import java.util.Optional;

/**
 * Names the artifact that provides a store type, so that refusing a type whose artifact is missing
 * from the class path can say which one to add. Found with {@link java.util.ServiceLoader}, like
 * {@link StoreType}; an artifact that splits its backends into other artifacts provides one.
 */
public interface StoreArtifacts {

  /**
   * @return Maven coordinates ({@code groupId:artifactId}) of the artifact that provides {@code
   *     type}, or empty when this catalogue does not know the type
   */
  Optional<String> artifactOf(StoreKind kind, String type);
}
