package dev.quiver.materializer;

import dev.quiver.EpochNanos;
import dev.quiver.QuiverException;
import dev.quiver.offline.resources.MemoryBudget;
import dev.quiver.offline.scan.ViewColumns;
import dev.quiver.online.OnlineStore;
import dev.quiver.registry.InvalidRequestException;
import dev.quiver.registry.NoSuchObjectException;
import dev.quiver.registry.load.Suggestions;
import dev.quiver.registry.model.Definitions;
import dev.quiver.registry.model.Entity;
import dev.quiver.registry.model.FeatureView;
import dev.quiver.registry.model.KnownTime;
import dev.quiver.registry.model.ObjectKind;
import dev.quiver.registry.model.OnDemandFeatureView;
import dev.quiver.registry.model.ParquetSource;
import dev.quiver.registry.model.TimeInterval;
import dev.quiver.registry.model.ValidationMode;
import dev.quiver.registry.rules.ValidationRejectedException;
import dev.quiver.registry.rules.ValidationReport;
import dev.quiver.registry.store.MaterializationLog;
import dev.quiver.registry.store.MaterializationState;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Copies the latest feature values of a time window from the offline sources into the online store,
 * view by view, and records each materialized interval in that online store's materialization log
 * (beside the registry's definitions; it makes no new registry version). A run killed midway leaves
 * every written row valid (newer-wins) and its interval unrecorded; running it again completes it.
 */
public final class Materializer {

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Materializer.class);

  /**
   * What one view's materialization did.
   *
   * @param newestEvent the newest event time among the window's rows; null when it had none
   * @param validation what the window's rows broke of the view's rules (a {@code validation: warn}
   *     view: written all the same); null when the view has no rules or was not checked
   */
  public record ViewResult(
      String view,
      TimeInterval interval,
      long sourceRowsRead,
      long rowsInWindow,
      long rowsWritten,
      Instant newestEvent,
      long millis,
      ValidationReport validation) {

    public ViewResult(
        String view,
        TimeInterval interval,
        long sourceRowsRead,
        long rowsInWindow,
        long rowsWritten,
        Instant newestEvent,
        long millis) {
      this(view, interval, sourceRowsRead, rowsInWindow, rowsWritten, newestEvent, millis, null);
    }
  }

  /**
   * What the command line prints after a materialization: a line per view (its window, rows read,
   * in the window and written, and the time), naming the engine when it is not the embedded one.
   *
   * @param engine e.g. {@code "Spark"}, or null for the embedded engine
   */
  public static List<String> summaryLines(List<ViewResult> results, String engine) {
    if (results.isEmpty()) {
      return List.of("No online feature views to materialize.");
    }
    List<String> lines = new ArrayList<>();
    for (ViewResult r : results) {
      if (r.interval() == null) {
        lines.add(r.view() + ": already materialized up to the end; nothing to do.");
        continue;
      }
      lines.add(
          r.view()
              + ": "
              + (r.interval().start() == null ? "the beginning" : r.interval().start())
              + " to "
              + r.interval().end()
              + ": "
              + r.sourceRowsRead()
              + " source rows read, "
              + r.rowsInWindow()
              + " in the window, "
              + r.rowsWritten()
              + " online rows written in "
              + String.format(java.util.Locale.ROOT, "%.1f", r.millis() / 1000.0)
              + " s"
              + (engine == null ? "" : ", on " + engine)
              + ".");
      if (r.validation() != null) {
        lines.addAll(r.validation().lines(null));
      }
    }
    return lines;
  }

  private final Definitions definitions;
  private final Path repoRoot;
  private final OnlineStore store;
  private final MaterializationLog log;
  private final MaterializationOptions options;
  private final MemoryBudget memory;
  private final MaterializationEngine engine;

  /**
   * @param memory each view's materialization reserves its memory here
   */
  public Materializer(
      Definitions definitions,
      Path repoRoot,
      OnlineStore store,
      MaterializationLog log,
      MaterializationOptions options,
      MemoryBudget memory) {
    this(definitions, repoRoot, store, log, options, memory, null);
  }

  /**
   * A materializer whose copies run on {@code engine} (null: in this process, on the worker pool).
   */
  public Materializer(
      Definitions definitions,
      Path repoRoot,
      OnlineStore store,
      MaterializationLog log,
      MaterializationOptions options,
      MemoryBudget memory,
      MaterializationEngine engine) {
    this.definitions = definitions;
    this.repoRoot = repoRoot;
    this.store = store;
    this.log = log;
    this.options = options;
    this.memory = memory;
    this.engine = engine;
  }

  /**
   * Materializes source rows with {@code start <= ts <= end} of the named views (all online views
   * when {@code views} is empty).
   *
   * @throws QuiverException when {@code start} is after {@code end}, a view is unknown or offline
   */
  public List<ViewResult> materialize(
      Instant start, Instant end, List<String> views, MaterializationProgress progress) {
    if (start.isAfter(end)) {
      throw new InvalidRequestException(
          "Cannot materialize: the start " + start + " is after the end " + end);
    }
    List<Planned> planned = new ArrayList<>();
    for (FeatureView view : select(views)) {
      planned.add(new Planned(view, new TimeInterval(start, end)));
    }
    return runAll(planned, progress);
  }

  /**
   * Materializes each view from where its last materialization into this online store ended (else
   * {@code end - ttl}, else the beginning of the data) to {@code end}.
   */
  public List<ViewResult> materializeIncremental(
      Instant end, List<String> views, MaterializationProgress progress) {
    Map<String, MaterializationState> done = log.states();
    List<Planned> planned = new ArrayList<>();
    for (FeatureView view : select(views)) {
      MaterializationState state = done.get(view.name());
      // A view known by its created time starts from the beginning the first time: a row whose
      // event lies within the ttl may have been known long before END - ttl.
      Instant start =
          state != null
              ? state.materializedUpTo()
              : view.isAggregation()
                  ? end.minus(longestReach(view))
                  : view.hasTtl() && view.knownTime() == KnownTime.EVENT
                      ? end.minus(view.ttl())
                      : null;
      planned.add(
          new Planned(
              view, start != null && start.isAfter(end) ? null : new TimeInterval(start, end)));
    }
    return runAll(planned, progress);
  }

  /**
   * A view's copy to run: its window, null when there is nothing to do; the source files its rules
   * were checked on, and what they found.
   */
  private static final class Planned {
    final FeatureView view;
    final TimeInterval interval;
    List<Path> files;
    ValidationReport validation;

    Planned(FeatureView view, TimeInterval interval) {
      this.view = view;
      this.interval = interval;
    }
  }

  /**
   * Checks the rules of every view first; then copies view by view, skipping each {@code
   * validation: reject} view whose window broke a rule (nothing of it written, no log entry), and
   * at the end refuses the run naming the skipped views (the others are written). The copies read
   * the very files the checks read, so a file that arrives in between waits for the next run.
   */
  private List<ViewResult> runAll(List<Planned> planned, MaterializationProgress progress) {
    List<ValidationReport> rejected = new ArrayList<>();
    for (Planned p : planned) {
      if (p.interval == null || !p.view.hasRules()) {
        continue;
      }
      if (engine != null) {
        if (p.view.validationMode() == ValidationMode.REJECT) {
          throw new InvalidRequestException(
              "Cannot materialize feature view '"
                  + p.view.name()
                  + "' with "
                  + engine.getClass().getSimpleName()
                  + ": it has validation: reject, and that engine does not check expect rules;"
                  + " materialize it with the embedded engine (offline_store: file), or check"
                  + " the window first with quiver validate and drop validation: reject");
        }
        LOG.warn(
            "{}: its expect rules are not checked by {}; run quiver validate --views {} on the"
                + " same window to check them",
            p.view.name(),
            engine.getClass().getSimpleName(),
            p.view.name());
        continue;
      }
      ParquetSource source = definitions.sourceOf(p.view);
      p.files = ViewColumns.files(p.view, source, repoRoot, "materialize");
      p.validation =
          WindowValidation.check(
              p.view,
              source,
              definitions.entitiesOf(p.view),
              p.files,
              p.interval.start() == null ? Long.MIN_VALUE : nanos(p.interval.start()),
              nanos(p.interval.end()),
              options,
              memory);
      if (p.validation.rejected()) {
        rejected.add(p.validation);
      }
    }
    // The batch is each view's window: a rejected view is skipped (nothing of it written, no log
    // entry), the run's other views are written, then the run is refused naming the skipped ones.
    List<ViewResult> results = new ArrayList<>();
    List<String> written = new ArrayList<>();
    for (Planned p : planned) {
      if (p.validation != null && p.validation.rejected()) {
        continue;
      }
      results.add(
          p.interval == null
              ? new ViewResult(p.view.name(), null, 0, 0, 0, null, 0)
              : run(p.view, p.interval, p.files, p.validation, progress));
      if (p.interval != null) {
        written.add(p.view.name());
      }
    }
    if (!rejected.isEmpty()) {
      throw ValidationRejectedException.skipped("materialize", rejected, written);
    }
    return results;
  }

  /**
   * How far back the windows of an aggregation view reach at {@code END}: its longest window plus
   * that window's hop. A first incremental run computes the tiles from there, all a lookup at or
   * after {@code END} reads.
   */
  private static java.time.Duration longestReach(FeatureView view) {
    long reach = 0;
    for (var feature : view.aggregateFeatures()) {
      reach = Math.max(reach, feature.windowNanos() + feature.hopNanos());
    }
    return java.time.Duration.ofNanos(reach);
  }

  private ViewResult run(
      FeatureView view,
      TimeInterval interval,
      List<Path> files,
      ValidationReport validation,
      MaterializationProgress progress) {
    long started = System.nanoTime();
    ParquetSource source = definitions.sourceOf(view);
    List<Entity> entities = definitions.entitiesOf(view);
    long start = interval.start() == null ? Long.MIN_VALUE : nanos(interval.start());
    long end = nanos(interval.end());
    ViewMaterialization.Outcome outcome;
    if (view.isAggregation()) {
      MaterializationState state = log.states().get(view.name());
      long knownNewest =
          state == null || state.newestEvent() == null
              ? Long.MIN_VALUE
              : EpochNanos.of(state.newestEvent());
      outcome =
          engine != null
              ? outcome(engine.tiles(view, source, entities, start, end, knownNewest))
              : new TileMaterialization(
                      view,
                      source,
                      entities,
                      repoRoot,
                      store,
                      options,
                      memory,
                      progress,
                      knownNewest,
                      TileMaterialization.EVENTS_PER_PARTITION)
                  .run(start, end);
    } else {
      outcome =
          engine != null
              ? outcome(engine.latest(view, source, entities, start, end))
              : new ViewMaterialization(
                      view, source, entities, repoRoot, store, options, memory, progress, files)
                  .run(start, end);
    }
    Instant newestEvent =
        outcome.newestEventNanos() == Long.MIN_VALUE
            ? null
            : EpochNanos.toInstant(outcome.newestEventNanos());
    log.record(view.name(), interval, newestEvent);
    return new ViewResult(
        view.name(),
        interval,
        outcome.sourceRowsRead(),
        outcome.rowsInWindow(),
        outcome.rowsWritten(),
        newestEvent,
        (System.nanoTime() - started) / 1_000_000,
        validation);
  }

  private static ViewMaterialization.Outcome outcome(MaterializationEngine.Copied copied) {
    return new ViewMaterialization.Outcome(
        copied.sourceRowsRead(),
        copied.rowsInWindow(),
        copied.rowsWritten(),
        copied.newestEventNanos());
  }

  private static long nanos(Instant instant) {
    try {
      return EpochNanos.of(instant);
    } catch (ArithmeticException e) {
      throw new InvalidRequestException(
          "Cannot materialize up to "
              + instant
              + ": Quiver's timestamps span the years 1677 to 2262");
    }
  }

  /**
   * Checks the rows of each named view's window of offline data (every view with rules when {@code
   * views} is empty; offline-only views too) against its rules, as a materialization of the window
   * would before writing: {@code quiver validate}. Writes nothing; needs no online store.
   *
   * @throws QuiverException when a view is unknown, computed on demand, or has no rules
   */
  public static List<ValidationReport> validate(
      Definitions definitions,
      Path repoRoot,
      Instant start,
      Instant end,
      List<String> views,
      MaterializationOptions options,
      MemoryBudget memory) {
    if (start.isAfter(end)) {
      throw new InvalidRequestException(
          "Cannot validate: the start " + start + " is after the end " + end);
    }
    List<FeatureView> selected = new ArrayList<>();
    if (views.isEmpty()) {
      definitions.featureViews().stream().filter(FeatureView::hasRules).forEach(selected::add);
    }
    for (String name : views) {
      FeatureView view = featureView(definitions, name, "validate");
      if (!view.hasRules()) {
        throw new InvalidRequestException(
            "Cannot validate feature view '"
                + name
                + "': none of its features has expect rules"
                + (view.isAggregation() ? " (aggregation views take none)" : ""));
      }
      selected.add(view);
    }
    List<ValidationReport> reports = new ArrayList<>();
    for (FeatureView view : selected) {
      ParquetSource source = definitions.sourceOf(view);
      reports.add(
          WindowValidation.check(
              view,
              source,
              definitions.entitiesOf(view),
              ViewColumns.files(view, source, repoRoot, "validate"),
              nanos(start),
              nanos(end),
              options,
              memory));
    }
    return reports;
  }

  /**
   * The feature view named {@code name}, else an error saying what cannot be done ({@code action}:
   * validate, materialize) and which name was perhaps meant.
   */
  private static FeatureView featureView(Definitions definitions, String name, String action) {
    return definitions
        .featureView(name)
        .orElseThrow(
            () ->
                new NoSuchObjectException(
                    "Cannot "
                        + action
                        + ": there is no feature view '"
                        + name
                        + "'"
                        + Suggestions.hint(name, definitions.names(ObjectKind.FEATURE_VIEW))));
  }

  /** The named views, or every online view; naming an offline view is an error. */
  private List<FeatureView> select(List<String> names) {
    if (names.isEmpty()) {
      return definitions.featureViews().stream().filter(FeatureView::online).toList();
    }
    List<FeatureView> views = new ArrayList<>();
    for (String name : names) {
      Optional<OnDemandFeatureView> onDemand = definitions.onDemandFeatureView(name);
      if (onDemand.isPresent() && definitions.featureView(name).isEmpty()) {
        throw new InvalidRequestException(
            "Cannot materialize '"
                + name
                + "': it is an on-demand feature view, computed at request time and never stored;"
                + " materialize its inputs instead"
                + (onDemand.get().inputs().isEmpty()
                    ? ""
                    : " (" + String.join(", ", onDemand.get().inputs()) + ")"));
      }
      FeatureView view = featureView(definitions, name, "materialize");
      if (!view.online()) {
        throw new InvalidRequestException(
            "Cannot materialize feature view '" + name + "': it is offline only (online: false)");
      }
      views.add(view);
    }
    return views;
  }
}
