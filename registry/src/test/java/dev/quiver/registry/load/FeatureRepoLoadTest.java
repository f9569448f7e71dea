package dev.quiver.registry.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.registry.RepoFixture;
import dev.quiver.registry.model.CanonicalForm;
import dev.quiver.registry.model.Entity;
import dev.quiver.registry.model.Feature;
import dev.quiver.registry.model.FeatureReference;
import dev.quiver.registry.model.FeatureView;
import dev.quiver.registry.model.KnownTime;
import dev.quiver.registry.model.ScalarType;
import dev.quiver.registry.model.SourceLocation;
import dev.quiver.registry.model.ValueType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FeatureRepoLoadTest {

  @TempDir Path root;

  private List<String> problems(RepoFixture repo) {
    return problems(repo, Map.of());
  }

  private List<String> problems(RepoFixture repo, Map<String, String> env) {
    try {
      FeatureRepo.load(repo.root(), env);
    } catch (DefinitionException e) {
      return e.problems().stream().map(Problem::toString).toList();
    }
    throw new AssertionError("the repo loaded without problems");
  }

  @Test
  void loadsEveryKindOfObjectWithItsLocation() {
    FeatureRepo repo = FeatureRepo.load(RepoFixture.valid(root).root(), Map.of());

    assertThat(repo.config().project()).isEqualTo("rides");
    assertThat(repo.config().registry().type()).isEqualTo("file");
    assertThat(repo.config().registry().option("path")).contains("data/registry.json");
    assertThat(repo.config().onlineStore().type()).isEqualTo("rocksdb");
    assertThat(repo.files()).containsExactly("driver_stats.yaml", "entities.yaml");
    Entity driver = repo.definitions().entity("driver").orElseThrow();
    assertThat(driver.joinKey()).isEqualTo("driver_id");
    assertThat(driver.type()).isEqualTo(ScalarType.INT64);
    assertThat(driver.location()).isEqualTo(new SourceLocation("entities.yaml", 2));
    FeatureView view = repo.definitions().featureView("driver_hourly_stats").orElseThrow();
    assertThat(view.ttl()).isEqualTo(Duration.ofDays(1));
    assertThat(view.online()).isTrue();
    assertThat(view.features())
        .extracting(f -> f.name() + ":" + f.type())
        .containsExactly("conv_rate:float32", "avg_daily_trips:int64");
    assertThat(view.tags()).containsEntry("team", "drivers");
    assertThat(view.location()).isEqualTo(new SourceLocation("driver_stats.yaml", 7));
    assertThat(repo.definitions().featureService("ranking").orElseThrow().features())
        .containsExactly(FeatureReference.wholeView("driver_hourly_stats"));
    assertThat(
            repo.definitions().source("driver_stats_source").orElseThrow().createdTimestampField())
        .isEqualTo("created");
  }

  @Test
  void reportsEveryDanglingReferenceAndUnknownTypeAtOnce() {
    RepoFixture repo =
        RepoFixture.valid(root)
            .write(
                "bad.yaml",
                """
                feature_views:
                  - name: trips
                    entities: [drivr]
                    source: trip_source
                    features:
                      - {name: trip_count, type: in64}
                """);

    assertThat(problems(repo))
        .containsExactly(
            "bad.yaml:3: feature view 'trips' references unknown entity 'drivr'"
                + " (did you mean 'driver'?)",
            "bad.yaml:4: feature view 'trips' references unknown source 'trip_source'",
            "bad.yaml:6: unknown type 'in64' of feature 'trip_count' of feature view 'trips'"
                + " (did you mean 'int64'?); types are bool, int32, int64, float32, float64,"
                + " string, bytes, timestamp and list<T> of each");
  }

  @Test
  void reportsUnknownKeysWithTheClosestAllowedKey() {
    RepoFixture repo =
        RepoFixture.empty(root)
            .write("feature_store.yaml", "project: rides\nregistery: x.json\n")
            .write(
                "e.yaml",
                """
                entities:
                  - name: driver
                    joinkey: driver_id
                    join_key: driver_id
                    type: int64
                stream_feature_views: []
                """);

    assertThat(problems(repo))
        .containsExactly(
            "e.yaml:3: unknown key 'joinkey' in entity 'driver' (did you mean 'join_key'?);"
                + " allowed keys: name, join_key, type, description, owner, tags",
            "e.yaml:6: unknown top-level key 'stream_feature_views'; definition files hold"
                + " entities, sources, feature_views, on_demand_feature_views, feature_services"
                + " (Quiver has no stream feature views)",
            "feature_store.yaml:2: unknown key 'registery' in feature_store.yaml (did you mean"
                + " 'registry'?); allowed keys: project, registry, online_store, offline_store,"
                + " logging");
  }

  @Test
  void reportsMissingRequiredKeys() {
    RepoFixture repo =
        RepoFixture.empty(root)
            .write("feature_store.yaml", "registry: data/r.json\n")
            .write(
                "m.yaml",
                """
                entities:
                  - name: driver
                    type: int64
                sources:
                  - name: s
                    path: data/s.parquet
                feature_views:
                  - name: v
                    source: s
                feature_services:
                  - {name: svc}
                """);

    assertThat(problems(repo))
        .containsExactly(
            "feature_store.yaml:1: feature_store.yaml is missing required key 'project'",
            "m.yaml:2: entity 'driver' is missing required key 'join_key'",
            "m.yaml:5: source 's' is missing required key 'timestamp_field'",
            "m.yaml:8: feature view 'v' is missing required key 'entities' (the entities that"
                + " key its rows)",
            "m.yaml:8: feature view 'v' is missing required key 'features' (or 'aggregations', for"
                + " windowed aggregations of its source's events)",
            "m.yaml:11: feature service 'svc' is missing required key 'features'");
  }

  @Test
  void refusesNamesThatAreNotIdentifiers() {
    RepoFixture repo =
        RepoFixture.valid(root)
            .write(
                "n.yaml",
                """
                entities:
                  - {name: rider-1, join_key: rider_id, type: int64}
                  - {name: rider, join_key: 1rider, type: int64}
                """);

    assertThat(problems(repo))
        .containsExactly(
            "n.yaml:2: invalid entity name 'rider-1': use letters, digits and underscores,"
                + " not starting with a digit",
            "n.yaml:3: invalid join key '1rider': use letters, digits and underscores, not"
                + " starting with a digit");
  }

  @Test
  void refusesDuplicateNamesAcrossFiles() {
    RepoFixture repo =
        RepoFixture.valid(root)
            .write(
                "more/entities.yaml",
                """
                entities:
                  - {name: driver, join_key: driver_id, type: int64}
                """);

    assertThat(problems(repo))
        .containsExactly(
            "more/entities.yaml:2: duplicate entity 'driver' (first defined at entities.yaml:2)");
  }

  @Test
  void refusesBadDurationsAndTypes() {
    RepoFixture repo =
        RepoFixture.valid(root)
            .write(
                "d.yaml",
                """
                feature_views:
                  - name: weekly
                    entities: [driver]
                    source: driver_stats_source
                    ttl: 1w
                    online: maybe
                    features: [{name: a, type: int64}]
                  - name: hourly
                    entities: [driver]
                    source: driver_stats_source
                    ttl: 3600
                    features: [{name: a, type: list<flaot32>}]
                entities:
                  - {name: rating, join_key: rating, type: float64}
                """);

    assertThat(problems(repo))
        .containsExactly(
            "d.yaml:5: invalid ttl '1w' of feature view 'weekly': write a number with a unit s,"
                + " m, h or d (90m, 2h, 1d12h), or 0 for no limit",
            "d.yaml:6: 'online' of feature view 'weekly' must be true or false, found 'maybe'",
            "d.yaml:11: invalid ttl '3600' of feature view 'hourly' (add a unit: 3600s is"
                + " seconds): write a number with a unit s, m, h or d (90m, 2h, 1d12h), or 0 for"
                + " no limit",
            "d.yaml:12: unknown type 'list<flaot32>' of feature 'a' of feature view 'hourly'"
                + " (did you mean 'list<float32>'?); types are bool, int32, int64, float32,"
                + " float64, string, bytes, timestamp and list<T> of each",
            "d.yaml:14: type 'float64' of entity 'rating' cannot be a join key type; join keys"
                + " are bool, int32, int64, string, bytes, timestamp");
  }

  @Test
  void readsAFreshnessGoalAndRefusesABadOne() {
    RepoFixture repo =
        RepoFixture.valid(root)
            .write(
                "f.yaml",
                """
                feature_views:
                  - name: fresh
                    entities: [driver]
                    source: driver_stats_source
                    freshness: 90m
                    features: [{name: a, type: int64}]
                  - name: never
                    entities: [driver]
                    source: driver_stats_source
                    freshness: 0
                    features: [{name: a, type: int64}]
                  - name: vague
                    entities: [driver]
                    source: driver_stats_source
                    freshness: soon
                    features: [{name: a, type: int64}]
                """);

    assertThat(problems(repo))
        .containsExactly(
            "f.yaml:10: invalid freshness '0' of feature view 'never': write how old its newest"
                + " online event may be, a number with a unit s, m, h or d (30m, 2h, 1d); leave it"
                + " out for no goal",
            "f.yaml:15: invalid freshness 'soon' of feature view 'vague': write how old its"
                + " newest online event may be, a number with a unit s, m, h or d (30m, 2h, 1d);"
                + " leave it out for no goal");
    repo.write(
        "f.yaml",
        """
        feature_views:
          - name: fresh
            entities: [driver]
            source: driver_stats_source
            freshness: 90m
            features: [{name: a, type: int64}]
        """);
    FeatureView fresh =
        FeatureRepo.load(repo.root(), Map.of()).definitions().featureView("fresh").orElseThrow();
    assertThat(fresh.freshness()).isEqualTo(java.time.Duration.ofMinutes(90));
    assertThat(CanonicalForm.of(fresh)).containsEntry("freshness", "1h30m");
    assertThat(
            FeatureRepo.definitionsFromData(
                    CanonicalForm.of(FeatureRepo.load(repo.root(), Map.of()).definitions()),
                    "registry")
                .featureView("fresh")
                .orElseThrow()
                .freshness())
        .isEqualTo(java.time.Duration.ofMinutes(90));
  }

  @Test
  void readsAServicesLoggingAndRefusesABadSampleRate() {
    RepoFixture repo =
        RepoFixture.valid(root)
            .write(
                "s.yaml",
                """
                feature_services:
                  - name: zero
                    features: [driver_hourly_stats]
                    logging: {sample_rate: 0}
                  - name: over
                    features: [driver_hourly_stats]
                    logging: {sample_rate: 1.5}
                  - name: words
                    features: [driver_hourly_stats]
                    logging: {sample_rate: half}
                  - name: typo
                    features: [driver_hourly_stats]
                    logging: {sample_rte: 0.5}
                  - name: flag
                    features: [driver_hourly_stats]
                    logging: true
                """);

    assertThat(problems(repo))
        .containsExactly(
            "s.yaml:4: invalid sample_rate 0 of feature service 'zero': write the share of served"
                + " rows to log, over 0 and at most 1 (0.1 logs one row in ten, 1 every row)",
            "s.yaml:7: invalid sample_rate 1.5 of feature service 'over': write the share of"
                + " served rows to log, over 0 and at most 1 (0.1 logs one row in ten, 1 every"
                + " row)",
            "s.yaml:10: 'sample_rate' of 'logging' of feature service 'words' must be a number,"
                + " found 'half'",
            "s.yaml:13: unknown key 'sample_rte' in 'logging' of feature service 'typo' (did you"
                + " mean 'sample_rate'?); allowed keys: sample_rate",
            "s.yaml:16: 'logging' of feature service 'flag' must be a mapping, found a value");
    repo.write(
        "s.yaml",
        """
        feature_services:
          - name: sampled
            features: [driver_hourly_stats]
            logging: {sample_rate: 0.25}
          - name: every_row
            features: [driver_hourly_stats]
            logging: {}
          - name: unlogged
            features: [driver_hourly_stats]
        """);
    dev.quiver.registry.model.Definitions definitions =
        FeatureRepo.load(repo.root(), Map.of()).definitions();
    assertThat(definitions.featureService("sampled").orElseThrow().logging().sampleRate())
        .isEqualTo(0.25);
    assertThat(definitions.featureService("every_row").orElseThrow().logging().sampleRate())
        .isEqualTo(1.0);
    assertThat(definitions.featureService("unlogged").orElseThrow().logging()).isNull();
    assertThat(CanonicalForm.of(definitions.featureService("sampled").orElseThrow()))
        .containsEntry("logging", Map.of("sample_rate", 0.25));
    assertThat(CanonicalForm.of(definitions.featureService("unlogged").orElseThrow()))
        .doesNotContainKey("logging");
    assertThat(
            FeatureRepo.definitionsFromData(CanonicalForm.of(definitions), "registry")
                .featureService("sampled")
                .orElseThrow()
                .logging()
                .sampleRate())
        .isEqualTo(0.25);
  }

  @Test
  void readsTheFolderOfFeatureLogsAndRefusesAnEmptyOne() {
    RepoFixture repo = RepoFixture.valid(root);
    assertThat(FeatureRepo.load(repo.root(), Map.of()).config().logFolder("ranking"))
        .isEqualTo(repo.root().resolve("data/logs/ranking"));
    repo.write(
        "feature_store.yaml",
        "project: rides\nregistry: data/registry.json\nlogging: {path: served}\n");
    assertThat(FeatureRepo.load(repo.root(), Map.of()).config().logFolder("ranking"))
        .isEqualTo(repo.root().resolve("served/ranking"));
    repo.write(
        "feature_store.yaml",
        "project: rides\nregistry: data/registry.json\nlogging: {path: ''}\n");
    assertThat(problems(repo))
        .containsExactly(
            "feature_store.yaml:3: 'path' of 'logging' is empty: name the folder of feature logs"
                + " (default data/logs)");
  }

  @Test
  void checksTheFeaturesAServiceNames() {
    RepoFixture repo =
        RepoFixture.valid(root)
            .write(
                "s.yaml",
                """
                feature_services:
                  - name: scoring
                    features:
                      - driver_hourly_stats:conv_rte
                      - driver_hourly_stats
                      - driver_hourly_stats:conv_rate
                      - driver_hourly_stat
                      - a:b:c
                """);

    assertThat(problems(repo))
        .containsExactly(
            "s.yaml:4: feature service 'scoring' references feature 'conv_rte' that feature view"
                + " 'driver_hourly_stats' does not have (did you mean 'conv_rate'?)",
            "s.yaml:6: feature service 'scoring' lists 'driver_hourly_stats:conv_rate' twice (it"
                + " is also part of 'driver_hourly_stats')",
            "s.yaml:7: feature service 'scoring' references unknown feature view"
                + " 'driver_hourly_stat' (did you mean 'driver_hourly_stats'?)",
            "s.yaml:8: invalid feature reference 'a:b:c' in feature service 'scoring': write"
                + " 'view' for a whole feature view or 'view:feature' for one feature");
  }

  @Test
  void reportsAFeatureTheViewDoesNotHave() {
    RepoFixture repo =
        RepoFixture.valid(root)
            .write(
                "s.yaml",
                """
                feature_services:
                  - name: scoring
                    features: [driver_hourly_stats:conv_rte]
                """);

    assertThat(problems(repo))
        .containsExactly(
            "s.yaml:3: feature service 'scoring' references feature 'conv_rte' that feature view"
                + " 'driver_hourly_stats' does not have (did you mean 'conv_rate'?)");
  }

  @Test
  void refusesAFeatureNamedLikeAJoinKeyOrTwice() {
    RepoFixture repo =
        RepoFixture.valid(root)
            .write(
                "v.yaml",
                """
                feature_views:
                  - name: pairs
                    entities: [driver, customer, driver]
                    source: driver_stats_source
                    features:
                      - {name: driver_id, type: int64}
                      - {name: rating, type: float64}
                      - {name: rating, type: float64}
                """);

    assertThat(problems(repo))
        .containsExactly(
            "v.yaml:3: feature view 'pairs' lists entity 'driver' twice",
            "v.yaml:6: feature 'driver_id' of feature view 'pairs' has the same name as the join"
                + " key of entity 'driver'; rename the feature",
            "v.yaml:8: duplicate feature 'rating' in feature view 'pairs'");
  }

  @Test
  void refusesTwoFeaturesWhoseNamesHashAlikeInOnlineRows() {
    // CRC32C("feature_1371838") == CRC32C("feature_2000402"), found by search.
    assertThat(Feature.nameHash("feature_1371838")).isEqualTo(Feature.nameHash("feature_2000402"));
    RepoFixture repo =
        RepoFixture.valid(root)
            .write(
                "v.yaml",
                """
                feature_views:
                  - name: clashing
                    entities: [driver]
                    source: driver_stats_source
                    features:
                      - {name: feature_1371838, type: float64}
                      - {name: feature_2000402, type: float64}
                """);

    assertThat(problems(repo))
        .containsExactly(
            "v.yaml:7: features 'feature_1371838' and 'feature_2000402' of feature view"
                + " 'clashing' have the same name hash in online rows; rename one of them");
  }

  @Test
  void reportsYamlSyntaxErrorsWithTheirLine() {
    RepoFixture repo =
        RepoFixture.valid(root).write("broken.yaml", "entities:\n  - name: x\n    type: [int64\n");

    assertThat(problems(repo))
        .containsExactly("broken.yaml:3: invalid YAML: the '[' opened here is never closed");
  }

  @Test
  void reportsADuplicateKeyInOneMapping() {
    RepoFixture repo =
        RepoFixture.valid(root)
            .write(
                "k.yaml",
                "entities:\n  - name: rider\n    join_key: a\n    type: int64\n    name: r2\n");

    assertThat(problems(repo)).containsExactly("k.yaml:5: duplicate key 'name' (first at line 2)");
  }

  @Test
  void skipsHiddenTargetDataAndIgnoredPaths() {
    String broken = "this: is not a definition file\n";
    RepoFixture repo =
        RepoFixture.valid(root)
            .write(".hidden/x.yaml", broken)
            .write("target/x.yaml", broken)
            .write("data/x.yaml", broken)
            .write("nested/target/x.yml", broken)
            .write("scratch/x.yaml", broken)
            .write("notes/draft.yml", broken)
            .write("notes/kept.yml", "entities: []\n")
            .write(".quiverignore", "# not definitions\nscratch/\ndraft.yml\n");

    FeatureRepo loaded = FeatureRepo.load(repo.root(), Map.of());

    assertThat(loaded.files())
        .containsExactly("driver_stats.yaml", "entities.yaml", "notes/kept.yml");
  }

  @Test
  void substitutesEnvironmentVariablesInTheProjectConfig() {
    RepoFixture repo =
        RepoFixture.valid(root)
            .write(
                "feature_store.yaml",
                """
                project: rides
                registry:
                  type: postgres
                  url: jdbc:postgresql://${PG_HOST}:5432/test?user=${PG_USER:-postgres}
                online_store: {type: test-kv, url: "kv://${KV_PASSWORD}@kv", path: "${ONLINE_PATH}"}
                """);

    FeatureRepo loaded =
        FeatureRepo.load(
            repo.root(),
            Map.of("PG_HOST", "db", "ONLINE_PATH", "/srv/online", "KV_PASSWORD", "s3cret"));
    assertThat(loaded.config().registry().option("url"))
        .contains("jdbc:postgresql://db:5432/test?user=postgres");
    assertThat(loaded.config().onlineStore().option("url")).contains("kv://s3cret@kv");
    assertThat(loaded.config().onlineStore().option("path")).contains("/srv/online");

    assertThat(problems(repo, Map.of("PG_HOST", "db", "KV_PASSWORD", "s3cret")))
        .containsExactly(
            "feature_store.yaml:5: environment variable 'ONLINE_PATH' is not set (used as"
                + " ${ONLINE_PATH}); set it, or give a default as ${ONLINE_PATH:-value}");
  }

  @Test
  void refusesUnknownStoreTypes() {
    RepoFixture repo =
        RepoFixture.valid(root)
            .write(
                "feature_store.yaml",
                """
                project: rides
                registry: {type: postgre, url: x}
                online_store: {type: test-kb}
                offline_store: {type: parquet}
                """);

    assertThat(problems(repo))
        .containsExactly(
            "feature_store.yaml:2: unknown registry type 'postgre' (did you mean 'postgres'?);"
                + " known types: file, postgres",
            "feature_store.yaml:3: unknown online_store type 'test-kb' (did you mean 'test-kv'?);"
                + " known types: test-kv",
            "feature_store.yaml:4: unknown offline_store type 'parquet'; known types: file, spark");
  }

  @Test
  void namesTheArtifactThatProvidesAStoreTypeNotOnTheClassPath() {
    RepoFixture repo =
        RepoFixture.valid(root)
            .write("feature_store.yaml", "project: rides\nonline_store: {type: test-remote}\n");

    assertThat(problems(repo))
        .containsExactly(
            "feature_store.yaml:2: unknown online_store type 'test-remote'; known types: test-kv"
                + " (type 'test-remote' comes with dev.quiver:quiver-test-remote, which is not on"
                + " the class path)");
  }

  @Test
  void checksTheKeysTheStoreTypeDeclares() {
    // test-kv is declared by this module's test service file: url required, path and timeout_ms
    // optional.
    RepoFixture repo =
        RepoFixture.valid(root)
            .write(
                "feature_store.yaml",
                """
                project: rides
                online_store:
                  type: test-kv
                  url: [kv://a, kv://b]
                  timeout_ms: 250
                """);
    FeatureRepo loaded = FeatureRepo.load(repo.root(), Map.of());
    assertThat(loaded.config().onlineStore().type()).isEqualTo("test-kv");
    assertThat(loaded.config().onlineStore().listOption("url")).containsExactly("kv://a", "kv://b");
    assertThat(loaded.config().onlineStore().option("timeout_ms")).contains("250");
    assertThat(loaded.config().onlineStore().options()).containsOnlyKeys("url", "timeout_ms");

    repo.write("feature_store.yaml", "project: rides\nonline_store: {type: test-kv, pth: x}\n");
    assertThat(problems(repo))
        .containsExactlyInAnyOrder(
            "feature_store.yaml:2: unknown key 'pth' in 'online_store' of type 'test-kv' (did you"
                + " mean 'path'?); allowed keys: type, url, path, timeout_ms",
            "feature_store.yaml:2: 'online_store' of type 'test-kv' is missing required key"
                + " 'url'");
  }

  @Test
  void theDefaultOnlineStoreNeedsNoDeclarationUntilOpened() {
    // DESIGN.md's default; RocksDB is not on this module's class path.
    FeatureRepo loaded = FeatureRepo.load(RepoFixture.valid(root).root(), Map.of());
    assertThat(loaded.config().onlineStore().type()).isEqualTo("rocksdb");
    assertThat(loaded.config().onlineStore().option("path")).contains("data/online");
    assertThat(loaded.config().offlineStore().type()).isEqualTo("file");
  }

  @Test
  void saysWhenTheFolderIsNotARepo() {
    assertThatThrownBy(() -> FeatureRepo.load(root, Map.of()))
        .isInstanceOf(DefinitionException.class)
        .hasMessage(
            root.toAbsolutePath()
                + ": not a feature repo: there is no feature_store.yaml here (run from a repo, or"
                + " pass --repo DIR)");
  }

  @Test
  void readsListTypes() {
    assertThat(ValueType.parse("list<string>")).contains(ValueType.listOf(ScalarType.STRING));
    assertThat(ValueType.parse("list< int64 >")).contains(ValueType.listOf(ScalarType.INT64));
    assertThat(ValueType.parse("list<list<int64>>")).isEmpty();
  }

  @Test
  void refusesEmptyValuesAndSelfContradictorySources() {
    RepoFixture repo =
        RepoFixture.valid(root)
            .write(
                "e.yaml",
                """
                sources:
                  - name: trips
                    path: ""
                    timestamp_field: ts
                    created_timestamp_field: ts
                    field_mapping: {a: trips, b: trips}
                feature_services:
                  - name: twice
                    features: [driver_hourly_stats, driver_hourly_stats]
                """);

    assertThat(problems(repo))
        .containsExactly(
            "e.yaml:3: 'path' of source 'trips' is empty",
            "e.yaml:5: source 'trips' uses 'ts' as both timestamp_field and"
                + " created_timestamp_field; the created timestamp breaks ties between rows of"
                + " equal event time, so it must be another column",
            "e.yaml:6: field_mapping of source 'trips' maps both 'a' and 'b' to 'trips'",
            "e.yaml:9: feature service 'twice' lists 'driver_hourly_stats' twice");
  }

  @Test
  void reportsABadIgnorePatternWithItsLine() {
    RepoFixture repo = RepoFixture.valid(root).write(".quiverignore", "# ok\nscratch/\n[oops\n");

    assertThat(problems(repo)).hasSize(1);
    assertThat(problems(repo).get(0)).startsWith(".quiverignore:3: invalid pattern '[oops': ");
  }

  @Test
  void knownTimeIsEventOrCreatedAndCreatedNeedsACreatedTimestamp() {
    RepoFixture repo =
        RepoFixture.valid(root)
            .write(
                "driver_stats.yaml",
                RepoFixture.DRIVER_STATS.replace("ttl: 1d", "ttl: 1d\n    known_time: created"));
    FeatureView view =
        FeatureRepo.load(repo.root(), Map.of())
            .definitions()
            .featureView("driver_hourly_stats")
            .orElseThrow();
    assertThat(view.knownTime()).isEqualTo(KnownTime.CREATED);

    repo.write(
        "driver_stats.yaml",
        RepoFixture.DRIVER_STATS.replace("ttl: 1d", "ttl: 1d\n    known_time: creatd"));
    assertThat(problems(repo))
        .containsExactly(
            "driver_stats.yaml:11: invalid known_time 'creatd' of feature view"
                + " 'driver_hourly_stats': use 'event' (a row is known from its event time) or"
                + " 'created' (from its created time) (did you mean 'created'?)");

    repo.write(
        "driver_stats.yaml",
        RepoFixture.DRIVER_STATS
            .replace("ttl: 1d", "ttl: 1d\n    known_time: created")
            .replace("    created_timestamp_field: created\n", ""));
    assertThat(problems(repo))
        .containsExactly(
            "driver_stats.yaml:10: feature view 'driver_hourly_stats' has known_time: created, but"
                + " its source 'driver_stats_source' has no created_timestamp_field to know rows"
                + " by; add one, or use known_time: event");
  }
}
