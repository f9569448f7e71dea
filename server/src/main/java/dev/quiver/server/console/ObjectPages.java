package dev.quiver.server.console;

import dev.quiver.registry.load.DefinitionYaml;
import dev.quiver.registry.model.AggregateFeature;
import dev.quiver.registry.model.CanonicalForm;
import dev.quiver.registry.model.Definitions;
import dev.quiver.registry.model.DurationText;
import dev.quiver.registry.model.Entity;
import dev.quiver.registry.model.Feature;
import dev.quiver.registry.model.FeatureReference;
import dev.quiver.registry.model.FeatureService;
import dev.quiver.registry.model.FeatureView;
import dev.quiver.registry.model.KafkaSource;
import dev.quiver.registry.model.ObjectKind;
import dev.quiver.registry.model.OnDemandFeature;
import dev.quiver.registry.model.OnDemandFeatureView;
import dev.quiver.registry.model.ParquetSource;
import dev.quiver.registry.model.WindowText;
import dev.quiver.registry.store.MaterializationState;
import dev.quiver.sdk.Freshness;
import dev.quiver.streaming.IngestionMetrics;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The page of each registered object: what it is, where it is written, what it reads and what reads
 * it (with the part of the lineage graph around it), its state where it has one, and its registered
 * definition as YAML.
 */
final class ObjectPages {

  private final RepoLocations locations;

  ObjectPages(RepoLocations locations) {
    this.locations = locations;
  }

  /** Reads the repo and loads what writing a definition takes, before any page asks. */
  void warmUp() {
    locations.warmUp();
    DefinitionYaml.write(Map.of("name", "warm-up"));
  }

  /** The page of {@code name} of {@code kind}, or empty when no such object is registered. */
  Optional<String> render(ConsoleState state, ObjectKind kind, String name) {
    Definitions d = state.definitions();
    return switch (kind) {
      case ENTITY -> d.entity(name).map(e -> entity(state, e));
      case SOURCE ->
          d.source(name)
              .map(s -> source(state, s))
              .or(() -> d.streamSource(name).map(s -> stream(state, s)));
      case FEATURE_VIEW -> d.featureView(name).map(v -> view(state, v));
      case ON_DEMAND_FEATURE_VIEW -> d.onDemandFeatureView(name).map(v -> onDemand(state, v));
      case FEATURE_SERVICE -> d.featureService(name).map(s -> service(state, s));
    };
  }

  private String entity(ConsoleState state, Entity entity) {
    Page page = begin(state, "entity", ObjectKind.ENTITY, entity.name(), entity.description());
    page.raw("<div class=\"cols\"><section class=\"panel\"><h2>Key</h2><dl class=\"meta\">");
    meta(page, "join key", "<code>" + Page.escape(entity.joinKey()) + "</code>");
    meta(page, "type", "<code>" + Page.escape(entity.type().yamlName()) + "</code>");
    meta(page, "owner", Page.escape(orDash(entity.owner())));
    tags(page, entity.tags());
    page.raw("</dl></section><section class=\"panel\"><h2>Feature views keyed by it</h2>");
    List<FeatureView> views =
        state.definitions().featureViews().stream()
            .filter(v -> v.entities().contains(entity.name()))
            .toList();
    if (views.isEmpty()) {
      page.note("No feature view is keyed by this entity.");
    }
    for (FeatureView view : views) {
      page.raw("<span class=\"pill\">")
          .link("/ui/views/" + Page.segment(view.name()), view.name())
          .raw("</span>");
    }
    page.raw("</section></div>");
    definition(page, CanonicalForm.of(entity));
    return page.finish();
  }

  private String source(ConsoleState state, ParquetSource source) {
    Page page =
        begin(state, "parquet source", ObjectKind.SOURCE, source.name(), source.description());
    page.raw("<section class=\"panel\"><h2>Data</h2><dl class=\"meta\">");
    meta(page, "path", "<code>" + Page.escape(source.path()) + "</code>");
    meta(page, "timestamp field", "<code>" + Page.escape(source.timestampField()) + "</code>");
    if (source.createdTimestampField() != null) {
      meta(
          page,
          "created timestamp field",
          "<code>" + Page.escape(source.createdTimestampField()) + "</code>");
    }
    if (!source.fieldMapping().isEmpty()) {
      meta(page, "field mapping", Page.escape(source.fieldMapping().toString()));
    }
    page.raw("</dl></section>");
    return end(page, state, LineageGraph.Kind.SOURCE, source.name(), CanonicalForm.of(source));
  }

  private String stream(ConsoleState state, KafkaSource stream) {
    Page page =
        begin(state, "stream source", ObjectKind.SOURCE, stream.name(), stream.description());
    page.raw("<section class=\"panel\"><h2>Stream</h2><dl class=\"meta\">");
    meta(page, "topic", "<code>" + Page.escape(stream.topic()) + "</code>");
    meta(page, "format", Page.escape(stream.format()));
    meta(page, "timestamp field", "<code>" + Page.escape(stream.timestampField()) + "</code>");
    meta(
        page,
        "batch source",
        stream.batchSource() == null
            ? "&ndash;"
            : links("/ui/sources/", List.of(stream.batchSource())));
    meta(page, "dead letters", "<code>" + Page.escape(stream.deadLetterTopic()) + "</code>");
    meta(page, "logged offline", stream.logToOffline() ? "yes" : "no");
    page.raw("</dl></section>");
    return end(page, state, LineageGraph.Kind.STREAM, stream.name(), CanonicalForm.of(stream));
  }

  private String view(ConsoleState state, FeatureView view) {
    Definitions d = state.definitions();
    boolean stream = d.streamSourceOf(view).isPresent();
    String kind =
        view.isAggregation()
            ? "aggregation feature view"
            : stream ? "stream feature view" : "feature view";
    Page page = begin(state, kind, ObjectKind.FEATURE_VIEW, view.name(), view.description());
    page.raw("<div class=\"cols\"><section class=\"panel\"><h2>Definition</h2><dl class=\"meta\">");
    meta(page, "entities", links("/ui/entities/", view.entities()));
    meta(
        page,
        "source",
        links("/ui/sources/", List.of(view.source()))
            + (stream
                ? " (stream; offline from " + Page.escape(d.offlineSourceName(view)) + ")"
                : ""));
    meta(page, "ttl", view.hasTtl() ? DurationText.format(view.ttl()) : "none");
    meta(page, "online", view.online() ? "yes" : "no");
    meta(
        page,
        "freshness goal",
        view.freshness() == null ? "none" : DurationText.format(view.freshness()));
    meta(page, "validation", Page.escape(view.validationMode().toString().toLowerCase()));
    meta(page, "owner", Page.escape(orDash(view.owner())));
    tags(page, view.tags());
    page.raw("</dl></section>");
    freshness(page, state, view, stream);
    page.raw("</div>");
    features(page, view);
    return end(page, state, LineageGraph.Kind.VIEW, view.name(), CanonicalForm.of(view));
  }

  /** The view's freshness, materialized windows and, for a stream view, ingestion's state. */
  private static void freshness(Page page, ConsoleState state, FeatureView view, boolean stream) {
    page.raw("<section class=\"panel\"><h2>Freshness</h2>");
    Freshness.ViewFreshness f = state.freshness().get(view.name());
    page.raw("<p>").raw(state.freshnessBadge(view.name())).raw("</p><dl class=\"meta\">");
    if (f != null) {
      meta(page, "newest event online", Page.instant(f.newestEvent()));
      meta(page, "age", f.age() == null ? "&ndash;" : Page.age(f.age()));
    }
    MaterializationState materialized = state.materialized().get(view.name());
    meta(
        page,
        "materialized up to",
        materialized == null ? "never" : Page.instant(materialized.materializedUpTo()));
    if (stream) {
      ingestion(page, state, view);
    }
    page.raw("</dl>");
    if (materialized != null && !materialized.intervals().isEmpty()) {
      page.raw("<h3>Materialized windows</h3>")
          .raw(
              Timeline.svg(
                  view.name(), materialized.intervals(), materialized.newestEvent(), state.now()));
    }
    page.raw("</section>");
  }

  private static void ingestion(Page page, ConsoleState state, FeatureView view) {
    if (state.ingestion().isEmpty()) {
      meta(
          page,
          "ingestion",
          "not running in this server (<code>quiver serve --ingest</code> or"
              + " <code>quiver ingest</code>)");
      return;
    }
    IngestionMetrics metrics = state.ingestion().get();
    Instant newest = metrics.newestEventByView().get(view.name());
    meta(page, "newest event ingested", Page.instant(newest));
    meta(
        page,
        "ingestion lag",
        "<span data-ingestion-lag=\""
            + metrics.lag()
            + "\">"
            + String.format(Locale.ROOT, "%,d", metrics.lag())
            + " messages</span>"
            + (newest == null
                ? ""
                : ", newest event " + Page.age(Duration.between(newest, state.now())) + " old"));
    meta(
        page,
        "events ingested",
        String.format(Locale.ROOT, "%,d", metrics.ingestedByView().getOrDefault(view.name(), 0L)));
  }

  private static void features(Page page, FeatureView view) {
    page.raw("<section class=\"panel\"><h2>Features</h2><table><tr><th>name</th><th>type</th>");
    if (view.isAggregation()) {
      page.raw("<th>aggregation</th><th>window</th><th>hop</th></tr>");
      for (AggregateFeature feature : view.aggregateFeatures()) {
        page.raw("<tr><td><code>")
            .text(feature.name())
            .raw("</code></td><td><code>")
            .text(feature.outputType().yamlName())
            .raw("</code></td><td>")
            .text(
                feature.column() == null
                    ? feature.function().yamlName()
                    : feature.function().yamlName() + "(" + feature.column() + ")")
            .raw("</td><td>")
            .text(WindowText.name(feature.window()))
            .raw("</td><td>")
            .text(WindowText.name(feature.hop()))
            .raw("</td></tr>");
      }
    } else {
      page.raw("<th>rules</th><th>description</th></tr>");
      for (Feature feature : view.features()) {
        page.raw("<tr><td><code>")
            .text(feature.name())
            .raw("</code></td><td><code>")
            .text(feature.type().toString())
            .raw("</code></td><td>")
            .text(feature.expect() == null ? "" : CanonicalForm.of(feature.expect()).toString())
            .raw("</td><td>")
            .text(orDash(feature.description()))
            .raw("</td></tr>");
      }
    }
    page.raw("</table><p class=\"note\">Statistics and drift: ")
        .link("/ui/monitoring", "monitoring")
        .raw(".</p></section>");
  }

  private String onDemand(ConsoleState state, OnDemandFeatureView view) {
    Page page =
        begin(
            state,
            "on-demand feature view",
            ObjectKind.ON_DEMAND_FEATURE_VIEW,
            view.name(),
            view.description());
    page.raw("<section class=\"panel\"><h2>Inputs</h2><dl class=\"meta\">");
    meta(
        page,
        "feature views",
        view.inputs().isEmpty() ? "none" : links("/ui/views/", view.inputs()));
    StringBuilder request = new StringBuilder();
    for (Feature field : view.request()) {
      request
          .append("<code>")
          .append(Page.escape(field.name()))
          .append("</code> ")
          .append(Page.escape(field.type().toString()))
          .append("&ensp;");
    }
    meta(page, "request data", request.length() == 0 ? "none" : request.toString());
    meta(page, "owner", Page.escape(orDash(view.owner())));
    tags(page, view.tags());
    page.raw("</dl></section><section class=\"panel\"><h2>Features</h2><table>")
        .raw("<tr><th>name</th><th>type</th><th>expression (CEL)</th></tr>");
    for (OnDemandFeature feature : view.features()) {
      page.raw("<tr><td><code>")
          .text(feature.name())
          .raw("</code></td><td><code>")
          .text(feature.type().toString())
          .raw("</code></td><td><code>")
          .text(feature.expression())
          .raw("</code></td></tr>");
    }
    page.raw("</table></section>");
    return end(page, state, LineageGraph.Kind.ODFV, view.name(), CanonicalForm.of(view));
  }

  private String service(ConsoleState state, FeatureService service) {
    Page page =
        begin(
            state,
            "feature service",
            ObjectKind.FEATURE_SERVICE,
            service.name(),
            service.description());
    page.raw("<div class=\"cols\"><section class=\"panel\"><h2>Serving</h2><dl class=\"meta\">");
    meta(page, "owner", Page.escape(orDash(service.owner())));
    meta(
        page,
        "logging",
        service.logging() == null
            ? "off"
            : "sample rate "
                + service.logging().sampleRate()
                + " (consistency and drift: "
                + "<a href=\"/ui/monitoring\">monitoring</a>)");
    tags(page, service.tags());
    page.raw("</dl></section><section class=\"panel\"><h2>Features</h2><table>")
        .raw("<tr><th>view</th><th>features</th></tr>");
    Definitions d = state.definitions();
    for (FeatureReference reference : service.features()) {
      boolean onDemand = d.onDemandFeatureView(reference.view()).isPresent();
      page.raw("<tr><td>")
          .link(
              (onDemand ? "/ui/on-demand-views/" : "/ui/views/") + Page.segment(reference.view()),
              reference.view())
          .raw("</td><td><code>")
          .text(reference.isWholeView() ? "all" : reference.feature())
          .raw("</code></td></tr>");
    }
    page.raw("</table></section></div>");
    return end(page, state, LineageGraph.Kind.SERVICE, service.name(), CanonicalForm.of(service));
  }

  /** Starts an object's page: its title, its heading, and {@link #intro}. */
  private Page begin(
      ConsoleState state, String label, ObjectKind kind, String name, String description) {
    Page page =
        state.page(Character.toUpperCase(label.charAt(0)) + label.substring(1) + " " + name, null);
    page.heading(label, name);
    intro(page, state, kind, name, description);
    return page;
  }

  /** Ends an object's page: the lineage around it, its registered definition. */
  private static String end(
      Page page,
      ConsoleState state,
      LineageGraph.Kind kind,
      String name,
      Map<String, Object> canonical) {
    lineage(page, state, LineageGraph.id(kind, name));
    definition(page, canonical);
    return page.finish();
  }

  /** The description and where the object is written, with whether the repo still agrees. */
  private void intro(
      Page page, ConsoleState state, ObjectKind kind, String name, String description) {
    page.raw("<p class=\"sub\">");
    if (description != null && !description.isBlank()) {
      page.text(description).raw("<br>");
    }
    Optional<RepoLocations.Location> location = locations.of(state.definitions(), kind, name);
    if (location.isPresent()) {
      page.raw("Written at <code data-location>").text(location.get().fileLine()).raw("</code>");
      if (!location.get().sameAsRegistry()) {
        page.raw(
            " <span class=\"badge warn\">the repo has changed it since the last apply:"
                + " run quiver plan</span>");
      }
    } else if (locations.problem() != null) {
      page.raw("<span class=\"badge warn\">the repo does not load now</span> ")
          .text(firstLine(locations.problem()));
    } else {
      page.raw(
          "<span class=\"badge warn\">not in the repo any more: the next apply deletes it</span>");
    }
    page.raw("</p>\n");
  }

  private static void lineage(Page page, ConsoleState state, String id) {
    LineageGraph graph = LineageGraph.of(state.definitions()).around(id);
    page.raw("<section class=\"panel\"><h2>Lineage</h2><div class=\"lineage\">")
        .raw(graph.svg(id, LineagePage.viewStates(state)))
        .raw("</div><p class=\"note\">What feeds it and what it feeds. ")
        .link("/ui/lineage", "The whole graph")
        .raw(".</p></section>");
  }

  private static void definition(Page page, Map<String, Object> canonical) {
    page.raw("<section class=\"panel\"><h2>Registered definition</h2><pre>")
        .text(DefinitionYaml.write(canonical))
        .raw("</pre></section>");
  }

  /** Links to the pages of {@code names} under {@code path}, separated by spaces. */
  private static String links(String path, List<String> names) {
    StringBuilder links = new StringBuilder();
    for (String name : names) {
      if (links.length() > 0) {
        links.append(' ');
      }
      links
          .append("<a href=\"")
          .append(Page.escape(path + Page.segment(name)))
          .append("\">")
          .append(Page.escape(name))
          .append("</a>");
    }
    return links.toString();
  }

  private static void meta(Page page, String term, String markup) {
    page.raw("<dt>").text(term).raw("</dt><dd>").raw(markup).raw("</dd>");
  }

  private static void tags(Page page, Map<String, String> tags) {
    if (tags.isEmpty()) {
      return;
    }
    StringBuilder pills = new StringBuilder();
    tags.forEach(
        (k, v) ->
            pills
                .append("<span class=\"pill\">")
                .append(Page.escape(k + ": " + v))
                .append("</span>"));
    meta(page, "tags", pills.toString());
  }

  private static String orDash(String text) {
    return text == null || text.isBlank() ? "\u2013" : text;
  }

  private static String firstLine(String text) {
    int end = text.indexOf('\n');
    return end < 0 ? text : text.substring(0, end);
  }
}
