package dev.quiver.registry.store;

import dev.quiver.registry.model.TimeInterval;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The log of an online store whose rows live no longer than the process (the in-memory store): kept
 * in this process too, so that a later process, whose store starts empty, does not read that the
 * rows are there.
 */
public final class ProcessMaterializationLog implements MaterializationLog {

  private final String onlineStore;
  private final Map<String, MaterializationState> states = new TreeMap<>();

  public ProcessMaterializationLog(String onlineStore) {
    this.onlineStore = Objects.requireNonNull(onlineStore, "onlineStore");
  }

  @Override
  public String onlineStore() {
    return onlineStore;
  }

  @Override
  public synchronized Map<String, MaterializationState> states() {
    return Collections.unmodifiableMap(new TreeMap<>(states));
  }

  @Override
  public synchronized void record(String view, TimeInterval interval, Instant newestEvent) {
    states.merge(
        view,
        MaterializationState.of(interval, newestEvent),
        (known, added) -> known.with(interval, newestEvent));
  }

  @Override
  public synchronized void forget(String view) {
    states.remove(view);
  }

  @Override
  public String description() {
    return "the materialization log of " + onlineStore + ", kept in this process";
  }
}
