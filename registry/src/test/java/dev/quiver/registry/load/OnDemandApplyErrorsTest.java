package dev.quiver.registry.load;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.registry.RepoFixture;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code apply} says about each kind of mistake in an on-demand view, with its line. */
class OnDemandApplyErrorsTest {

  @TempDir Path root;

  /** The valid repo plus {@code risk.yaml} holding {@code yaml}. */
  private List<String> problems(String yaml) {
    return RepoFixture.valid(root).write("risk.yaml", yaml).loadProblems();
  }

  /** An on-demand view over driver_hourly_stats with one request field and one feature. */
  private static String view(String type, String expression) {
    return """
        on_demand_feature_views:
          - name: trip_risk
            inputs: [driver_hourly_stats]
            request: [{name: distance, type: float64}, {name: city, type: string}]
            features:
              - name: risk
                type: %s
                expression: "%s"
        """
        .formatted(type, expression);
  }

  private static final String RISK =
      "risk.yaml:8: feature 'risk' of on-demand feature view 'trip_risk': ";

  @Test
  void aTypoOfARequestFieldIsAnUnknownIdentifierWithASuggestion() {
    assertThat(problems(view("float64", "distanse * 2.0")))
        .containsExactly(
            RISK
                + "its expression reads 'distanse' (column 1), which is neither a request field"
                + " nor a feature of an input (did you mean 'distance'?)");
  }

  @Test
  void anUnknownFeatureOfAnInputIsAnUnknownIdentifier() {
    assertThat(problems(view("float64", "2.0 * driver_hourly_stats.conv_rat")))
        .containsExactly(
            RISK
                + "its expression reads 'driver_hourly_stats.conv_rat' (column 7), which is"
                + " neither a request field nor a feature of an input (did you mean"
                + " 'driver_hourly_stats.conv_rate'?)");
  }

  @Test
  void anUnknownFeatureOfAnInputWithNoCloseNameListsTheInputsFeatures() {
    assertThat(problems(view("float64", "driver_hourly_stats.rating")))
        .containsExactly(
            RISK
                + "its expression reads 'driver_hourly_stats.rating' (column 1), which is neither"
                + " a request field nor a feature of an input; input 'driver_hourly_stats' has"
                + " conv_rate, avg_daily_trips");
  }

  @Test
  void aTypoOfAnInputsNameIsSuggested() {
    assertThat(problems(view("float64", "driver_hourly_stat.conv_rate")))
        .containsExactly(
            RISK
                + "its expression reads 'driver_hourly_stat.conv_rate' (column 1), which is"
                + " neither a request field nor a feature of an input; 'driver_hourly_stat' is not"
                + " among the view's inputs (did you mean 'driver_hourly_stats'?)");
  }

  @Test
  void aViewThatIsNotAnInputIsNamedWithTheInputs() {
    assertThat(problems(view("float64", "driver_stats.conv_rate * 2.0")))
        .containsExactly(
            RISK
                + "its expression reads 'driver_stats.conv_rate' (column 1), which is neither a"
                + " request field nor a feature of an input; 'driver_stats' is not among the"
                + " view's inputs (driver_hourly_stats); to read its features, add it to"
                + " 'inputs'");
  }

  @Test
  void aTypeMismatchInsideAnExpressionNamesTheOperatorAndItsColumn() {
    assertThat(problems(view("bool", "city > distance")))
        .containsExactly(
            RISK
                + "its expression does not type-check (column 6): '>' cannot be applied to"
                + " string and double");
    assertThat(problems(view("float64", "  distance + driver_hourly_stats.avg_daily_trips")))
        .containsExactly(
            RISK
                + "its expression does not type-check (column 12): '+' cannot be applied to"
                + " double and int; CEL does not mix int and double in arithmetic: convert one,"
                + " e.g. double(x)");
  }

  @Test
  void aResultTypeOtherThanTheDeclaredOneIsRefusedWithAHint() {
    assertThat(problems(view("float64", "driver_hourly_stats.avg_daily_trips + 1")))
        .containsExactly(
            RISK
                + "its expression gives int, but the feature is declared float64 (double(x)"
                + " turns an int into a double)");
    assertThat(problems(view("int64", "distance * 2.0")))
        .containsExactly(
            RISK
                + "its expression gives double, but the feature is declared int64 (int(x)"
                + " truncates a double to an int)");
  }

  @Test
  void aSyntaxErrorSaysTheExpressionIsNotValidCel() {
    assertThat(problems(view("float64", "distance +")))
        .containsExactly(
            RISK + "its expression is not valid CEL (column 11): the expression ends too early");
  }

  @Test
  void anEmptyExpressionIsRefused() {
    assertThat(problems(view("float64", "")))
        .containsExactly(
            "risk.yaml:8: 'expression' of feature 'risk' of on-demand feature view 'trip_risk'"
                + " is empty");
  }

  @Test
  void inputsMustBeKnownFeatureViewsListedOnce() {
    assertThat(
            problems(
                """
                on_demand_feature_views:
                  - name: trip_risk
                    inputs: [driver_hourly_stat, driver_hourly_stats, driver_hourly_stats, other]
                    features:
                      - {name: risk, type: float64, expression: "1.0"}
                  - name: other
                    features:
                      - {name: x, type: float64, expression: "1.0"}
                """))
        .containsExactly(
            "risk.yaml:3: on-demand feature view 'trip_risk' lists input 'driver_hourly_stats'"
                + " twice; remove one",
            "risk.yaml:3: on-demand feature view 'trip_risk' reads on-demand feature view"
                + " 'other': inputs are feature views; copy the expression you need instead",
            "risk.yaml:3: on-demand feature view 'trip_risk' references unknown feature view"
                + " 'driver_hourly_stat' (did you mean 'driver_hourly_stats'?)");
  }

  @Test
  void requestFieldsMayNotTakeTheNameOfAnInputOrAJoinKey() {
    assertThat(
            problems(
                """
                on_demand_feature_views:
                  - name: trip_risk
                    inputs: [driver_hourly_stats]
                    request:
                      - {name: driver_hourly_stats, type: float64}
                      - {name: driver_id, type: int64}
                    features:
                      - {name: risk, type: float64, expression: "1.0"}
                """))
        .containsExactly(
            "risk.yaml:5: request field 'driver_hourly_stats' of on-demand feature view"
                + " 'trip_risk' has the name of an input view: 'driver_hourly_stats.x' would be"
                + " ambiguous; rename the field",
            "risk.yaml:6: request field 'driver_id' of on-demand feature view 'trip_risk' has"
                + " the name of the join key of entity 'driver': request fields are sent beside"
                + " the join keys, so rename the field");
  }

  @Test
  void twoFeaturesMayNotShareAName() {
    assertThat(
            problems(
                """
                on_demand_feature_views:
                  - name: trip_risk
                    features:
                      - {name: risk, type: float64, expression: "1.0"}
                      - {name: risk, type: float64, expression: "2.0"}
                """))
        .containsExactly(
            "risk.yaml:5: on-demand feature view 'trip_risk' has two features named 'risk';"
                + " rename one");
  }

  @Test
  void anOnDemandViewMayNotTakeAFeatureViewsName() {
    assertThat(
            problems(
                """
                on_demand_feature_views:
                  - name: driver_hourly_stats
                    features:
                      - {name: x, type: float64, expression: "1.0"}
                  - name: trip_risk
                    inputs: [driver_hourly_stats]
                    features:
                      - {name: y, type: float64, expression: "driver_hourly_stats.conv_rate"}
                """))
        .containsExactly(
            "risk.yaml:2: on-demand feature view 'driver_hourly_stats' has the name of a"
                + " feature view (defined at driver_stats.yaml:7): 'view:feature' references"
                + " would not know which; rename one");
  }

  @Test
  void aServiceMayNotReferenceAMissingOnDemandFeature() {
    assertThat(
            problems(
                view("float64", "distance * 2.0")
                    + """
                    feature_services:
                      - name: risky
                        features: ["trip_risk:risc", "trip_rsk:risk"]
                    """))
        .containsExactly(
            "risk.yaml:11: feature service 'risky' references feature 'risc' that on-demand"
                + " feature view 'trip_risk' does not have (did you mean 'risk'?)",
            "risk.yaml:11: feature service 'risky' references unknown feature view 'trip_rsk'"
                + " (did you mean 'trip_risk'?)");
  }

  @Test
  void aMultiLineExpressionNamesTheLineWithinIt() {
    assertThat(
            problems(
                """
                on_demand_feature_views:
                  - name: trip_risk
                    inputs: [driver_hourly_stats]
                    request: [{name: distance, type: float64}]
                    features:
                      - name: risk
                        type: float64
                        expression: |
                          distance > 1.0
                            ? driver_hourly_stats.conv_rat
                            : 0.0
                """))
        .containsExactly(
            RISK
                + "its expression reads 'driver_hourly_stats.conv_rat' (line 2 of the expression,"
                + " column 5), which is neither a request field nor a feature of an input (did you"
                + " mean 'driver_hourly_stats.conv_rate'?)");
  }

  @Test
  void anUnknownFunctionIsNamedAsOne() {
    assertThat(problems(view("float64", "foo(distance)")))
        .containsExactly(
            RISK
                + "its expression calls 'foo' (column 4), which is not a CEL function (CEL's"
                + " standard functions include size, int, double, string, timestamp, duration,"
                + " matches, startsWith, contains)");
    assertThat(problems(view("bool", "distance.size() > 2")))
        .containsExactly(
            RISK
                + "its expression does not type-check (column 14): 'size' cannot be called on a double");
  }

  @Test
  void anInputViewReadAsAValueSaysToReadOneOfItsFeatures() {
    assertThat(problems(view("int64", "driver_hourly_stats")))
        .containsExactly(
            RISK
                + "its expression reads 'driver_hourly_stats' (column 1), which is neither a"
                + " request field nor a feature of an input; 'driver_hourly_stats' is an input"
                + " view: read one of its features, as driver_hourly_stats.<feature>");
  }

  @Test
  void resultTypesAreNamedInFullAndHintsOnlyWhereAConversionExists() {
    assertThat(problems(view("float64", "null")))
        .containsExactly(
            RISK
                + "its expression is always null, but the feature is declared float64; give a"
                + " value of that type");
    assertThat(problems(view("string", "{'a': 1}")))
        .containsExactly(
            RISK + "its expression gives map<string, int>, but the feature is declared string");
    assertThat(problems(view("timestamp", "distance")))
        .containsExactly(
            RISK + "its expression gives double, but the feature is declared timestamp");
    assertThat(problems(view("float32", "city")))
        .containsExactly(
            RISK
                + "its expression gives string, but the feature is declared float32 (double(x)"
                + " parses a string)");
  }

  @Test
  void twoViewsMayShareARequestFieldOnlyWithOneType() {
    assertThat(
            problems(
                view("float64", "distance * 2.0")
                    + """
                      - name: other_risk
                        request: [{name: distance, type: int64}]
                        features:
                          - {name: far, type: bool, expression: "distance > 10"}
                    """))
        .containsExactly(
            "risk.yaml:4: request field 'distance' of on-demand feature view 'trip_risk' is"
                + " float64, but on-demand feature view 'other_risk' declares it int64: a request"
                + " carries one value per field name, so give both one type or rename one");
  }

  @Test
  void aRequestFieldNamedLikeAFeatureOfItsViewIsRefused() {
    assertThat(
            problems(
                """
                on_demand_feature_views:
                  - name: trip_risk
                    request: [{name: risk, type: float64}]
                    features:
                      - {name: risk, type: float64, expression: "risk * 2.0"}
                """))
        .containsExactly(
            "risk.yaml:3: request field 'risk' of on-demand feature view 'trip_risk' has the name"
                + " of one of the view's features: the request column and the feature's column"
                + " would both be named 'risk'; rename one");
  }

  @Test
  void aMisspeltRequestFieldTypeIsOneProblemNotOnePerExpression() {
    assertThat(
            problems(
                """
                on_demand_feature_views:
                  - name: trip_risk
                    request: [{name: tip, type: flaot64}]
                    features:
                      - {name: a, type: float64, expression: "tip * 2.0"}
                      - {name: b, type: bool, expression: "tip > 1.0"}
                """))
        .hasSize(1)
        .allMatch(problem -> problem.contains("flaot64"));
  }

  @Test
  void aNullBranchOfAConditionalBesideAComputedValueIsExplained() {
    // Beside an input read as it is, a null branch is allowed: CompiledExpressionTest runs such.
    assertThat(problems(view("float64", "distance > 1.0 ? null : distance * 2.0")))
        .singleElement()
        .asString()
        .contains("a branch may be null only when the other is an input read as it is");
  }
}
