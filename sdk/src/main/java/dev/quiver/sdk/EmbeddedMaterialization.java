package dev.quiver.sdk;

import dev.quiver.materializer.MaterializationOptions;
import dev.quiver.materializer.MaterializationProgress;
import dev.quiver.materializer.Materializer;
import dev.quiver.offline.resources.MemoryBudget;
import dev.quiver.registry.rules.ValidationReport;
import dev.quiver.registry.store.MaterializationState;
import dev.quiver.registry.store.RegistrySnapshot;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The embedded store's materialization role: copies from the repo's sources into its online store,
 * each run with the registry version it started with, recorded in that store's log.
 */
final class EmbeddedMaterialization implements Materialization {

  private final EmbeddedRegistry registry;
  private final EmbeddedOnline online;

  EmbeddedMaterialization(EmbeddedRegistry registry, EmbeddedOnline online) {
    this.registry = registry;
    this.online = online;
  }

  @Override
  public List<Materializer.ViewResult> materialize(
      Instant start, Instant end, List<String> views, MaterializationProgress progress) {
    return materializer(registry.snapshot()).materialize(start, end, views, progress);
  }

  @Override
  public List<Materializer.ViewResult> materializeIncremental(
      Instant end, List<String> views, MaterializationProgress progress) {
    return materializer(registry.snapshot()).materializeIncremental(end, views, progress);
  }

  @Override
  public List<ValidationReport> validate(Instant start, Instant end, List<String> views) {
    return Materializer.validate(
        registry.definitions(registry.snapshot()),
        registry.config().root(),
        start,
        end,
        views,
        MaterializationOptions.defaults(),
        MemoryBudget.process());
  }

  @Override
  public Map<String, MaterializationState> materializationStates() {
    return registry.materializationLog().states();
  }

  private Materializer materializer(RegistrySnapshot snapshot) {
    return new Materializer(
        registry.definitions(snapshot),
        registry.config().root(),
        online.store(),
        registry.materializationLog(),
        MaterializationOptions.defaults(),
        MemoryBudget.process());
  }
}
