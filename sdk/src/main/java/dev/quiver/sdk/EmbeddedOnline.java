package dev.quiver.sdk;

import dev.quiver.Excerpt;
import dev.quiver.online.OnlineStore;
import dev.quiver.online.OnlineStores;
import dev.quiver.registry.InvalidRequestException;
import dev.quiver.registry.NoSuchObjectException;
import dev.quiver.registry.model.Definitions;
import dev.quiver.registry.model.FeatureView;
import dev.quiver.registry.rules.ValidationReport;
import dev.quiver.registry.store.RegistrySnapshot;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** The embedded store's online role: lookups and pushes against the repo's online store. */
final class EmbeddedOnline implements OnlineFeatures, AutoCloseable {

  private final EmbeddedRegistry registry;
  private final Clock clock;
  private final OnlineStores.Access access;
  private OnlineStore store;

  EmbeddedOnline(EmbeddedRegistry registry, Clock clock, OnlineStores.Access access) {
    this.registry = registry;
    this.clock = clock;
    this.access = access;
  }

  /** The online store, opened on first use. */
  synchronized OnlineStore store() {
    if (store == null) {
      store = OnlineStores.open(registry.config(), access);
    }
    return store;
  }

  @Override
  public OnlineResponse onlineFeatures(OnlineRequest request) {
    RegistrySnapshot snapshot = registry.snapshot();
    EmbeddedRegistry.OnlineSelection selection =
        registry.selection(snapshot, request.featureService(), request.features());
    return OnlineReads.read(
        request, selection, store(), request.asOf() == null ? clock.instant() : request.asOf());
  }

  @Override
  public long writeOnline(String view, Map<String, List<Object>> columns, Instant receivedAt) {
    return push(view, columns, receivedAt, PushTarget.ONLINE).onlineRowsWritten();
  }

  @Override
  public PushResult push(
      String view, Map<String, List<Object>> columns, Instant receivedAt, PushTarget to) {
    RegistrySnapshot snapshot = registry.snapshot();
    Definitions definitions = registry.definitions(snapshot);
    FeatureView definition =
        definitions
            .featureView(view)
            .orElseThrow(
                () ->
                    new NoSuchObjectException(
                        "Cannot write to feature view '"
                            + Excerpt.of(view)
                            + "': there is no such feature view in project '"
                            + registry.project()
                            + "' (registry version "
                            + snapshot.version()
                            + ")"));
    if (to.online() && !definition.online()) {
      throw new InvalidRequestException(
          "Cannot write to feature view '"
              + view
              + "': it is offline only (online: false); push its rows with \"to\": \"offline\"");
    }
    if (to.online() && definition.isAggregation()) {
      throw new InvalidRequestException(
          "Cannot write to feature view '"
              + view
              + "': it computes windowed aggregations, whose online tiles are computed from its"
              + " source's events by materialization (quiver materialize); rows cannot be"
              + " pushed to it online (push its events with \"to\": \"offline\")");
    }
    OnlineWrites.CheckedRows rows =
        OnlineWrites.check(definition, definitions, columns, receivedAt);
    ValidationReport validation = OnlineWrites.validate(rows);
    // Offline first: should the online write then fail, the rows are offline only and a retry
    // adds a second file; the other order would leave rows served that training never sees.
    String file =
        to.offline()
            ? OnlineWrites.writeOffline(rows, definitions, registry.config().root(), receivedAt)
            : null;
    long online = to.online() ? OnlineWrites.writeOnline(rows, store(), receivedAt) : 0;
    return new PushResult(
        view, to, online, file == null ? 0 : rows.rows().size(), file, validation);
  }

  @Override
  public void checkOnlineStore() {
    store().read(List.of(new OnlineStore.Key("__quiver_health", new byte[] {0})));
  }

  @Override
  public synchronized void close() {
    if (store != null) {
      store.close();
      store = null;
    }
  }
}
