package dev.quiver.registry.store;

import dev.quiver.registry.model.TimeInterval;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/**
 * A materialization log in the file registry's document, under {@code materialization_logs}, keyed
 * by the online store's identity, then by view: {@code {"intervals": [{"start", "end"}, ...],
 * "newest_event": "..." or null}}. A record re-reads and replaces the document under the registry's
 * lock, so concurrent records (threads or processes) are all kept.
 *
 * <p>Registries written before logs were kept per online store hold one log for the whole project
 * at the top level ({@code materialized}, {@code newest_materialized_events}). It tells nothing of
 * which store the rows went to, so no log reads it; the first record drops it.
 */
final class FileMaterializationLog implements MaterializationLog {

  static final String LOGS = "materialization_logs";

  /** The project-wide log of registries written before logs were kept per online store. */
  static final List<String> UNKEYED_LOG = List.of("materialized", "newest_materialized_events");

  private final RegistryFile file;
  private final String onlineStore;

  FileMaterializationLog(RegistryFile file, String onlineStore) {
    if (onlineStore == null || onlineStore.isBlank()) {
      throw new IllegalArgumentException("a materialization log needs an online store identity");
    }
    this.file = file;
    this.onlineStore = onlineStore;
  }

  @Override
  public String onlineStore() {
    return onlineStore;
  }

  @Override
  public Map<String, MaterializationState> states() {
    return states(file.read());
  }

  private Map<String, MaterializationState> states(Map<String, Object> document) {
    if (document == null || !(document.get(LOGS) instanceof Map<?, ?> logs)) {
      return Map.of();
    }
    return Collections.unmodifiableMap(
        RegistryJson.states(logs.get(onlineStore), file.path().toString()));
  }

  @Override
  public void record(String view, TimeInterval interval, Instant newestEvent) {
    change(
        states -> {
          MaterializationState current = states.get(view);
          states.put(
              view,
              current == null
                  ? MaterializationState.of(interval, newestEvent)
                  : current.with(interval, newestEvent));
          return states;
        });
  }

  @Override
  public void forget(String view) {
    change(
        states -> {
          states.remove(view);
          return states;
        });
  }

  private void change(UnaryOperator<Map<String, MaterializationState>> change) {
    file.update(
        current -> {
          Map<String, Object> next = file.copyOrEmpty(current);
          UNKEYED_LOG.forEach(next::remove);
          Map<String, Object> logs = new TreeMap<>();
          if (next.get(LOGS) instanceof Map<?, ?> stored) {
            stored.forEach((store, log) -> logs.put(String.valueOf(store), log));
          }
          Map<String, MaterializationState> states = change.apply(new TreeMap<>(states(current)));
          if (states.isEmpty()) {
            logs.remove(onlineStore);
          } else {
            logs.put(onlineStore, RegistryJson.statesData(states));
          }
          next.put(LOGS, new LinkedHashMap<>(logs));
          return new RegistryFile.Update<>(next, null);
        });
  }

  @Override
  public String description() {
    return "materialization log of online store " + onlineStore + " in the " + file.description();
  }
}
