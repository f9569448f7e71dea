package dev.quiver.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quiver.registry.load.FeatureRepo;
import dev.quiver.registry.model.Definitions;
import dev.quiver.registry.store.HistoryEntry;
import dev.quiver.registry.store.RegistryException;
import dev.quiver.registry.store.RegistrySnapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The remote store's registry role: the server's registry as a snapshot (read at connect and on
 * refresh), which types the server's answers as the registry declares them.
 */
final class RemoteRegistry {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final FeatureServerClient client;
  private volatile RegistrySnapshot snapshot;

  RemoteRegistry(FeatureServerClient client) {
    this.client = client;
    this.snapshot = fetch();
  }

  RegistrySnapshot snapshot() {
    return snapshot;
  }

  private RegistrySnapshot fetch() {
    JsonNode body = client.get("/api/v1/projects/" + client.project() + "/registry");
    Definitions definitions =
        FeatureRepo.definitionsFromData(
            JSON.convertValue(body.get("definitions"), Map.class), client.server() + " registry");
    return new RegistrySnapshot(
        client.project(), body.get("registry_version").asLong(), definitions);
  }

  /**
   * The server's registry history ({@code GET /api/v1/projects/{project}/history}), oldest first.
   *
   * @throws RegistryException when an entry is not one the server writes
   */
  List<HistoryEntry> history() {
    JsonNode body = client.get("/api/v1/projects/" + client.project() + "/history");
    JsonNode entries = body.get("history");
    if (entries == null || !entries.isArray()) {
      throw new RegistryException(
          "Cannot read the registry history from "
              + client.server()
              + ": the answer has no list 'history'");
    }
    List<HistoryEntry> history = new ArrayList<>();
    for (JsonNode entry : entries) {
      Map<?, ?> map = JSON.convertValue(entry, Map.class);
      try {
        history.add(HistoryEntry.fromMap(map));
      } catch (RuntimeException e) {
        throw new RegistryException(
            "Cannot read the registry history from "
                + client.server()
                + ": an entry is malformed: "
                + entry,
            e);
      }
    }
    return List.copyOf(history);
  }

  /** Reads the registry again when the server serves a newer version; whether it did. */
  boolean refresh() {
    long version = client.get("/api/v1/info").get("registry_version").asLong();
    if (version == snapshot.version()) {
      return false;
    }
    snapshot = fetch();
    return true;
  }
}
