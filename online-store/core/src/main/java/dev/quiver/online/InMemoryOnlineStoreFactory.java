package dev.quiver.online;

import dev.quiver.registry.model.ProjectConfig;
import dev.quiver.registry.model.StoreConfig;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * {@code online_store: {type: memory}}: an {@link InMemoryOnlineStore}, with no options. Each
 * opening is a new, empty store (an embedded {@code FeatureStore} opens one and keeps it), and
 * nothing is persisted: for tests, demos and applications that materialize or push what they serve
 * in the same process.
 */
public final class InMemoryOnlineStoreFactory implements OnlineStoreFactory {

  @Override
  public String type() {
    return "memory";
  }

  @Override
  public List<String> requiredOptions() {
    return List.of();
  }

  @Override
  public List<String> optionalOptions() {
    return List.of();
  }

  @Override
  public Set<Capability> capabilities() {
    return EnumSet.of(Capability.IN_PROCESS_READS);
  }

  /** A new, empty store; {@code access} does not matter, as no other process can see it. */
  @Override
  public OnlineStore open(StoreConfig config, ProjectConfig project, OnlineStores.Access access) {
    return new InMemoryOnlineStore(project.project());
  }

  /**
   * {@code memory}, with no location: the rows live only in the store object that holds them, so
   * the identity cannot tell two memory stores apart, and nothing keyed by it may outlive the store
   * (the type lacks {@link Capability#DURABLE}).
   */
  @Override
  public String identity(StoreConfig config, ProjectConfig project) {
    return "memory";
  }
}
