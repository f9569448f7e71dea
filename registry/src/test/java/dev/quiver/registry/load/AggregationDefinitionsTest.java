package dev.quiver.registry.load;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.registry.RegistryPlan;
import dev.quiver.registry.RepoFixture;
import dev.quiver.registry.diff.ChangeType;
import dev.quiver.registry.diff.ObjectChange;
import dev.quiver.registry.diff.RegistryDiff;
import dev.quiver.registry.model.AggregateFeature;
import dev.quiver.registry.model.CanonicalForm;
import dev.quiver.registry.model.Definitions;
import dev.quiver.registry.model.FeatureView;
import dev.quiver.registry.model.WindowText;
import dev.quiver.registry.store.RegistrySnapshot;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AggregationDefinitionsTest {

  @TempDir Path root;

  private static final String ENTITIES =
      """
      entities:
        - name: card
          join_key: card_id
          type: int64
      sources:
        - name: transactions
          path: data/transactions.parquet
          timestamp_field: ts
      """;

  private static final String CARD_SPEND =
      """
      feature_views:
        - name: card_spend
          entities: [card]
          source: transactions
          aggregations:
            - {column: amount, type: float64, function: sum, windows: [1h, 1d, 7d]}
            - {function: count, windows: [1h, 24h]}
            - {column: items, type: int32, function: mean, windows: [90m]}
            - {column: merchant_id, type: string, function: last, windows: [14d]}
      """;

  private RepoFixture repo(String views) {
    return RepoFixture.empty(root)
        .write("feature_store.yaml", RepoFixture.CONFIG)
        .write("entities.yaml", ENTITIES)
        .write("views.yaml", views);
  }

  private Definitions load(String views) {
    return FeatureRepo.load(repo(views).root(), Map.of()).definitions();
  }

  private List<String> problems(String views) {
    try {
      FeatureRepo.load(repo(views).root(), Map.of());
    } catch (DefinitionException e) {
      return e.problems().stream().map(Problem::toString).toList();
    }
    throw new AssertionError("the repo loaded without problems");
  }

  @Test
  void namesFeaturesByColumnFunctionAndWindowInItsLargestExactUnit() {
    FeatureView view = load(CARD_SPEND).featureView("card_spend").orElseThrow();

    assertThat(view.isAggregation()).isTrue();
    assertThat(view.features())
        .extracting(f -> f.name() + ":" + f.type())
        .containsExactly(
            "amount_sum_1h:float64",
            "amount_sum_1d:float64",
            "amount_sum_7d:float64",
            "count_1h:int64",
            "count_1d:int64",
            "items_mean_90m:float64",
            "merchant_id_last_14d:string");
    assertThat(view.aggregateFeatures())
        .extracting(AggregateFeature::hop)
        .containsExactly(
            Duration.ofMinutes(5),
            Duration.ofHours(1),
            Duration.ofHours(1),
            Duration.ofMinutes(5),
            Duration.ofHours(1),
            Duration.ofMinutes(5),
            Duration.ofDays(1));
    assertThat(view.sourceColumns())
        .extracting(f -> f.name() + ":" + f.type())
        .containsExactly("amount:float64", "items:int32", "merchant_id:string");
  }

  @Test
  void aViewHopSetsTheHopOfEveryWindow() {
    FeatureView view =
        load(CARD_SPEND.replace("source: transactions", "source: transactions\n    hop: 10m"))
            .featureView("card_spend")
            .orElseThrow();

    assertThat(view.aggregateFeatures())
        .extracting(AggregateFeature::hop)
        .containsOnly(Duration.ofMinutes(10));
  }

  @Test
  void outputTypesFollowTheInputType() {
    FeatureView view =
        load("""
                feature_views:
                  - name: v
                    entities: [card]
                    source: transactions
                    aggregations:
                      - {column: a, type: int32, function: sum, windows: [1h]}
                      - {column: b, type: float32, function: sum, windows: [1h]}
                      - {column: c, type: timestamp, function: max, windows: [1h]}
                      - {column: d, type: bool, function: first, windows: [1h]}
                      - {column: e, type: bytes, function: count, windows: [1h]}
                """)
            .featureView("v")
            .orElseThrow();

    assertThat(view.features())
        .extracting(f -> f.name() + ":" + f.type())
        .containsExactly(
            "a_sum_1h:int64",
            "b_sum_1h:float64",
            "c_max_1h:timestamp",
            "d_first_1h:bool",
            "e_count_1h:int64");
  }

  @Test
  void reportsEveryProblemOfEveryAggregationAtOnceWithItsLine() {
    assertThat(
            problems(
                """
                feature_views:
                  - name: v
                    entities: [card]
                    source: transactions
                    hop: 0
                    aggregations:
                      - {column: amount, type: float64, function: summ, windows: [1h]}
                      - {column: merchant, type: string, function: sum, windows: [1h]}
                      - {column: amount, type: float64, function: max, windows: [1x, 0, 60, 36501d]}
                      - {function: mean, windows: [1h]}
                      - {column: items, function: min, windows: [1h]}
                      - {column: tags, type: list<string>, function: last, windows: [1h]}
                      - {function: count}
                      - {function: count, windows: [1h]}
                      - {function: count, windows: [60m]}
                """))
        .containsExactly(
            "views.yaml:5: invalid hop '0' of feature view 'v': write a duration greater than 0"
                + " with units s, m, h or d (5m, 1h, 7d, 1d12h)",
            "views.yaml:7: unknown function 'summ' in aggregation 'amount' of feature view 'v'"
                + " (did you mean 'sum'?); functions are count, sum, mean, min, max, first, last",
            "views.yaml:8: function 'sum' cannot aggregate column 'merchant' of type string in"
                + " feature view 'v': sum takes int32, int64, float32 or float64",
            "views.yaml:9: invalid window '0' of feature view 'v': write a duration greater"
                + " than 0 with units s, m, h or d (5m, 1h, 7d, 1d12h)",
            "views.yaml:9: invalid window '1x' of feature view 'v': write a duration greater"
                + " than 0 with units s, m, h or d (5m, 1h, 7d, 1d12h)",
            "views.yaml:9: invalid window '36501d' of feature view 'v': at most 36500d (100"
                + " years)",
            "views.yaml:9: invalid window '60' of feature view 'v' (add a unit: 60s is seconds):"
                + " write a duration greater than 0 with units s, m, h or d (5m, 1h, 7d, 1d12h)",
            "views.yaml:10: mean in an aggregation of feature view 'v' needs a 'column' to"
                + " aggregate (only count may go without one, to count rows)",
            "views.yaml:11: aggregation 'items' of feature view 'v' is missing required key"
                + " 'type' (the type of column 'items')",
            "views.yaml:12: function 'last' cannot aggregate column 'tags' of type list<string>"
                + " in feature view 'v': last takes any scalar type",
            "views.yaml:13: an aggregation of feature view 'v' is missing required key 'windows'"
                + " (such as [1h, 1d, 7d])",
            "views.yaml:15: feature view 'v' produces feature 'count_1h' twice (first at"
                + " views.yaml:14); each column, function and window may appear once");
  }

  @Test
  void refusesFeaturesWithAggregationsAndKeysThatOnlyPlainViewsTake() {
    assertThat(
            problems(
                """
                feature_views:
                  - name: both
                    entities: [card]
                    source: transactions
                    features: [{name: amount, type: float64}]
                    aggregations: [{function: count, windows: [1h]}]
                  - name: aged
                    entities: [card]
                    source: transactions
                    ttl: 1d
                    known_time: created
                    aggregations: [{function: count, windows: [1h]}]
                  - name: hopping
                    entities: [card]
                    source: transactions
                    hop: 5m
                    features: [{name: amount, type: float64}]
                  - name: keyed
                    entities: [card]
                    source: transactions
                    aggregations: [{column: card_id, type: int64, function: max, windows: [1h]}]
                  - name: timed
                    entities: [card]
                    source: transactions
                    aggregations: [{column: ts, type: timestamp, function: max, windows: [1h]}]
                """))
        .containsExactly(
            "views.yaml:6: feature view 'both' has both 'features' and 'aggregations': a view"
                + " either reads features from its source's rows or aggregates its events; split"
                + " it into two views",
            "views.yaml:10: feature view 'aged' has a ttl, but its aggregations' windows already"
                + " bound the events they read; remove the ttl",
            "views.yaml:11: feature view 'aged' aggregates events by their event time;"
                + " known_time: created applies to views with features only",
            "views.yaml:11: feature view 'aged' has known_time: created, but its source"
                + " 'transactions' has no created_timestamp_field to know rows by; add one, or"
                + " use known_time: event",
            "views.yaml:16: feature view 'hopping' has a hop but no aggregations: only windows"
                + " slide by hops",
            "views.yaml:21: feature view 'keyed' aggregates column 'card_id', the join key of"
                + " entity 'card': every event of a key has the same value; use count without a"
                + " column to count events",
            "views.yaml:25: feature view 'timed' aggregates column 'ts', the timestamp_field of"
                + " source 'transactions': each window's newest event time is its features' event"
                + " timestamp online; to aggregate event times, copy them into another column");
  }

  @Test
  void aColumnHasOneTypeAndAViewWithBothKindsStillReportsItsAggregationsProblems() {
    assertThat(
            problems(
                """
                feature_views:
                  - name: v
                    entities: [card]
                    source: transactions
                    aggregations:
                      - {column: amount, type: float64, function: sum, windows: [1h]}
                      - {column: amount, type: int64, function: max, windows: [2h]}
                  - name: both
                    entities: [card]
                    source: transactions
                    features: [{name: amount, type: float64}]
                    aggregations: [{function: cnt, windows: [1h]}]
                """))
        .containsExactly(
            "views.yaml:7: feature view 'v' declares column 'amount' as int64 here and as"
                + " float64 at views.yaml:6; a column has one type",
            "views.yaml:12: feature view 'both' has both 'features' and 'aggregations': a view"
                + " either reads features from its source's rows or aggregates its events; split"
                + " it into two views",
            "views.yaml:12: unknown function 'cnt' in an aggregation of feature view 'both';"
                + " functions are count, sum, mean, min, max, first, last");
  }

  @Test
  void theCanonicalFormReadsBackToTheSameView() {
    Definitions definitions =
        load(CARD_SPEND.replace("source: transactions", "source: transactions\n    hop: 1h"));
    Map<String, Object> canonical =
        CanonicalForm.of(definitions.featureView("card_spend").orElseThrow());

    assertThat(canonical)
        .containsEntry("hop", "1h")
        .doesNotContainKeys("features", "ttl")
        .extractingByKey("aggregations")
        .asList()
        .first()
        .isEqualTo(
            Map.of(
                "column",
                "amount",
                "type",
                "float64",
                "function",
                "sum",
                "windows",
                List.of("1h", "1d", "7d")));
    Definitions readBack = dev.quiver.registry.store.RegistryJsonAccess.roundTrip(definitions);
    assertThat(readBack.featureView("card_spend").orElseThrow())
        .usingRecursiveComparison()
        .ignoringFields("location")
        .isEqualTo(definitions.featureView("card_spend").orElseThrow());
  }

  @Test
  void aPlanNamesAddedAndRemovedAggregationsAndChangedWindowsAndHops() {
    Definitions before = load(CARD_SPEND);
    Definitions after =
        load(
            CARD_SPEND
                    .replace("source: transactions", "source: transactions\n    hop: 10m")
                    .replace("windows: [1h, 1d, 7d]", "windows: [1h, 7d, 30d]")
                    .replace("      - {function: count, windows: [1h, 24h]}\n", "")
                + "      - {column: amount, type: float64, function: max, windows: [1d]}\n");

    List<ObjectChange> changes = RegistryDiff.between(before, after);
    ObjectChange view =
        changes.stream().filter(c -> c.name().equals("card_spend")).findFirst().orElseThrow();
    assertThat(view.type()).isEqualTo(ChangeType.UPDATE);
    assertThat(view.details())
        .containsExactly(
            "aggregation sum(amount): + window 30d, - window 1d",
            "+ aggregation max(amount)",
            "- aggregation count()",
            "hop (none) -> 10m");
  }

  @Test
  void aPlanThatChangesHowTilesAreComputedNamesTheViewsWhoseTilesGo() {
    Definitions before = load(CARD_SPEND);
    RegistrySnapshot base = new RegistrySnapshot("rides", 3, before);

    assertThat(
            RegistryPlan.of(base, load(CARD_SPEND.replace("[1h, 1d, 7d]", "[1h, 2d]")))
                .retiledViews())
        .containsExactly("card_spend");
    assertThat(
            RegistryPlan.of(
                    base,
                    load(
                        CARD_SPEND.replace(
                            "source: transactions", "source: transactions\n    hop: 1h")))
                .retiledViews())
        .containsExactly("card_spend");
    assertThat(
            RegistryPlan.of(
                    base, load(CARD_SPEND + "    description: spend per card\n    owner: risk\n"))
                .retiledViews())
        .isEmpty();
    // The same view over other events: another path, or another timestamp column.
    RegistrySnapshot moved = new RegistrySnapshot("rides", 3, load(CARD_SPEND));
    assertThat(
            RegistryPlan.of(
                    moved,
                    FeatureRepo.load(
                            repo(CARD_SPEND)
                                .write(
                                    "entities.yaml",
                                    ENTITIES.replace(
                                        "data/transactions.parquet", "data/transactions_v2/"))
                                .root(),
                            Map.of())
                        .definitions())
                .retiledViews())
        .containsExactly("card_spend");
    RegistryPlan dropped = RegistryPlan.of(base, load("feature_views: []\n"));
    assertThat(dropped.retiledViews()).isEmpty();
    assertThat(dropped.deletedViews()).containsExactly("card_spend");
  }

  @Test
  void windowsStartAtTheHopFloorOfTheirLength() {
    long hour = Duration.ofHours(1).toNanos();
    long fiveMinutes = Duration.ofMinutes(5).toNanos();
    long t = Duration.ofHours(10).toNanos() + 3 * 60_000_000_000L + 7;

    assertThat(WindowText.windowStart(t, hour, fiveMinutes)).isEqualTo(9 * hour);
    assertThat(WindowText.windowStart(-1, hour, fiveMinutes)).isEqualTo(-hour - fiveMinutes);
    assertThat(WindowText.windowStart(Long.MIN_VALUE + 5, hour, fiveMinutes))
        .isEqualTo(Long.MIN_VALUE);
    long day = Duration.ofDays(1).toNanos();
    assertThat(WindowText.floor(Long.MIN_VALUE + 5, day)).isEqualTo(Long.MIN_VALUE);
    assertThat(WindowText.floor(-1, day)).isEqualTo(-day);
    assertThat(WindowText.name(Duration.ofHours(36))).isEqualTo("36h");
    assertThat(WindowText.name(Duration.ofMinutes(90))).isEqualTo("90m");
    assertThat(WindowText.name(Duration.ofHours(48))).isEqualTo("2d");
  }
}
