package dev.quiver.registry.load;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quiver.registry.RepoFixture;
import dev.quiver.registry.model.CanonicalForm;
import dev.quiver.registry.model.Definitions;
import dev.quiver.registry.model.Expectation;
import dev.quiver.registry.model.FeatureView;
import dev.quiver.registry.model.ValidationMode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ValidationRuleDefinitionsTest {

  @TempDir Path root;

  private List<String> problems(RepoFixture repo) {
    try {
      FeatureRepo.load(repo.root(), Map.of());
    } catch (DefinitionException e) {
      return e.problems().stream().map(Problem::toString).toList();
    }
    throw new AssertionError("the repo loaded without problems");
  }

  @Test
  void readsRulesKeepsThemThroughTheRegistryAndLeavesViewsWithoutThemUnchanged() throws Exception {
    RepoFixture repo =
        RepoFixture.valid(root)
            .write(
                "r.yaml",
                """
                feature_views:
                  - name: checked
                    entities: [driver]
                    source: driver_stats_source
                    validation: reject
                    features:
                      - name: rate
                        type: float32
                        expect: {not_null: true, min: 0, max: 1.5, max_null_fraction: 0.1}
                      - {name: city, type: string, expect: {in: [paris, "1"]}}
                      - {name: level, type: int32, expect: {in: [1, 2, 2]}}
                      - {name: plain, type: int64}
                  - name: warned
                    entities: [driver]
                    source: driver_stats_source
                    features:
                      - {name: rate, type: float64, expect: {max: 1}}
                """);
    Definitions loaded = FeatureRepo.load(repo.root(), Map.of()).definitions();
    FeatureView checked = loaded.featureView("checked").orElseThrow();
    assertThat(checked.validationMode()).isEqualTo(ValidationMode.REJECT);
    assertThat(checked.feature("rate").orElseThrow().expect())
        .isEqualTo(new Expectation(true, 0.0, 1.5, List.of(), 0.1));
    assertThat(checked.feature("city").orElseThrow().expect().in()).containsExactly("paris", "1");
    assertThat(checked.feature("level").orElseThrow().expect().in()).containsExactly(1L, 2L);
    assertThat(checked.feature("plain").orElseThrow().expect()).isNull();
    FeatureView warned = loaded.featureView("warned").orElseThrow();
    assertThat(warned.validation()).isNull();
    assertThat(warned.validationMode()).isEqualTo(ValidationMode.WARN);

    Map<String, Object> canonical = CanonicalForm.of(checked);
    assertThat(canonical).containsEntry("validation", "reject");
    assertThat(((List<?>) canonical.get("features")).get(0))
        .isEqualTo(
            Map.of(
                "name",
                "rate",
                "type",
                "float32",
                "expect",
                Map.of("not_null", true, "min", 0L, "max", 1.5, "max_null_fraction", 0.1)));
    assertThat(CanonicalForm.of(warned)).doesNotContainKey("validation");
    // A view without rules reads as it did before the keys existed.
    assertThat(CanonicalForm.of(loaded.featureView("driver_hourly_stats").orElseThrow()).toString())
        .doesNotContain("expect")
        .doesNotContain("validation");
    ObjectMapper json = new ObjectMapper();
    Definitions reread =
        FeatureRepo.definitionsFromData(
            json.readValue(json.writeValueAsString(CanonicalForm.of(loaded)), Map.class),
            "registry");
    FeatureView back = reread.featureView("checked").orElseThrow();
    assertThat(back.features()).isEqualTo(checked.features());
    assertThat(back.validation()).isEqualTo(ValidationMode.REJECT);
    assertThat(CanonicalForm.of(back)).isEqualTo(canonical);
  }

  @Test
  void refusesEachBadRuleAtItsLine() {
    RepoFixture repo =
        RepoFixture.valid(root)
            .write(
                "r.yaml",
                """
                feature_views:
                  - name: bad
                    entities: [driver]
                    source: driver_stats_source
                    validation: refuse
                    features:
                      - {name: city, type: string, expect: {min: 0}}
                      - {name: rate, type: float64, expect: {min: 2, max: 1}}
                      - {name: share, type: float64, expect: {max_null_fraction: 1.5}}
                      - name: level
                        type: int32
                        expect:
                          in:
                            - 1
                            - one
                      - {name: raw, type: bytes, expect: {in: [a]}}
                      - {name: n, type: int64, expect: {at_least: 3, max: lots}}
                      - {name: e, type: int64, expect: {in: []}}
                  - name: useless
                    entities: [driver]
                    source: driver_stats_source
                    validation: warn
                    features: [{name: a, type: int64}]
                  - name: counted
                    entities: [driver]
                    source: driver_stats_source
                    validation: reject
                    aggregations: [{function: count, windows: [1h]}]
                """);

    assertThat(problems(repo))
        .containsExactly(
            "r.yaml:5: invalid validation 'refuse' of feature view 'bad': use 'warn' (write a"
                + " batch that breaks an expect rule, and count it) or 'reject' (write nothing of"
                + " it)",
            "r.yaml:7: 'min' of expect of feature 'city' of feature view 'bad' needs a number"
                + " feature (int32, int64, float32, float64), and this one is string",
            "r.yaml:8: 'max' of expect of feature 'rate' of feature view 'bad' (1) is less than"
                + " its 'min' (2)",
            "r.yaml:9: 'max_null_fraction' of expect of feature 'share' of feature view 'bad' must"
                + " be a share from 0 to 1 (0.1 for 10%), found 1.5",
            "r.yaml:15: 'one' in 'in' of expect of feature 'level' of feature view 'bad' is not a"
                + " valid int32",
            "r.yaml:16: 'in' of expect of feature 'raw' of feature view 'bad' needs a bool,"
                + " integer, float or string feature, and this one is bytes",
            "r.yaml:17: 'max' of expect of feature 'n' of feature view 'bad' must be a number,"
                + " found 'lots'",
            "r.yaml:17: unknown key 'at_least' in expect of feature 'n' of feature view 'bad';"
                + " allowed keys: not_null, min, max, in, max_null_fraction",
            "r.yaml:18: 'in' of expect of feature 'e' of feature view 'bad' lists no value; list"
                + " the values allowed",
            "r.yaml:22: feature view 'useless' has validation: warn but none of its features has"
                + " expect rules; add expect to a feature or remove validation",
            "r.yaml:27: feature view 'counted' aggregates events: validation rules check the rows a"
                + " view writes, and an aggregation view writes tiles; put expect rules on a view"
                + " with features of the same source instead");
  }
}
