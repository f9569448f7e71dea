package dev.quiver.sdk;

import dev.quiver.registry.store.HistoryEntry;
import dev.quiver.registry.store.RegistrySnapshot;
import java.net.URI;
import java.util.List;

/**
 * A {@link FeatureStore} that works through a running {@code quiver serve}: its roles talk to the
 * server through one {@link FeatureServerClient} (HTTP for lookups, writes and materialization;
 * Arrow Flight for training sets). Errors arrive as the exceptions the embedded store throws, and
 * progress as the embedded store reports it. The registry is read from the server and refreshed on
 * demand.
 */
final class RemoteFeatureStore implements FeatureStore {

  private final FeatureServerClient client;
  private final RemoteRegistry registry;
  private final RemoteOnline online;
  private final RemoteHistorical historical;
  private final RemoteMaterialization materialization;

  private RemoteFeatureStore(FeatureServerClient client) {
    this.client = client;
    this.registry = new RemoteRegistry(client);
    this.online = new RemoteOnline(client, registry);
    this.historical = new RemoteHistorical(client, registry);
    this.materialization = new RemoteMaterialization(client);
  }

  static FeatureStore connect(URI server, RemoteOptions tokens) {
    FeatureServerClient client = FeatureServerClient.connect(server, tokens);
    try {
      return new RemoteFeatureStore(client);
    } catch (RuntimeException e) {
      client.close();
      throw e;
    }
  }

  @Override
  public String project() {
    return client.project();
  }

  @Override
  public RegistrySnapshot registry() {
    return registry.snapshot();
  }

  @Override
  public boolean refreshRegistry() {
    return registry.refresh();
  }

  @Override
  public List<HistoryEntry> registryHistory() {
    return registry.history();
  }

  @Override
  public OnlineFeatures online() {
    return online;
  }

  @Override
  public HistoricalFeatures historical() {
    return historical;
  }

  @Override
  public Materialization materialization() {
    return materialization;
  }

  @Override
  public void close() {
    client.close();
  }
}
