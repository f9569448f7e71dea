package dev.quiver.registry.ondemand;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.registry.FeatureSelection;
import dev.quiver.registry.FeatureSelection.Requested;
import dev.quiver.registry.model.Definitions;
import dev.quiver.registry.model.Feature;
import dev.quiver.registry.model.OnDemandFeature;
import dev.quiver.registry.model.OnDemandFeatureView;
import dev.quiver.registry.model.ScalarType;
import dev.quiver.registry.model.ValueType;
import java.util.List;
import org.junit.jupiter.api.Test;

class OnDemandSelectionTest {

  private static final ValueType FLOAT64 = ValueType.scalar(ScalarType.FLOAT64);
  private static final ValueType INT64 = ValueType.scalar(ScalarType.INT64);

  private static final OnDemandFeatureView RISK =
      new OnDemandFeatureView(
          "risk",
          List.of("s"),
          List.of(Feature.of("amount", FLOAT64), Feature.of("unused", FLOAT64)),
          List.of(
              OnDemandFeature.of("ratio", FLOAT64, "amount / (s.f64 + 1.0)"),
              OnDemandFeature.of("halves", INT64, "s.i64 / 2"),
              OnDemandFeature.of("per_trip", INT64, "s.i64 / s.i32")));

  private static final Definitions DEFINITIONS =
      new Definitions(
          List.of(),
          List.of(),
          List.of(OnDemandGoldenTest.STORED),
          List.of(),
          List.of(),
          List.of(RISK));

  @Test
  void requestedFeaturesKeepTheirOrderAndUnrequestedInputsAreReadAfterTheStoredOnes() {
    FeatureSelection selection =
        FeatureSelection.of(DEFINITIONS, List.of("risk:halves", "s:str", "risk:ratio", "s:ok"));

    assertThat(selection.requested())
        .extracting(Requested::reference)
        .containsExactly("risk:halves", "s:str", "risk:ratio", "s:ok");
    assertThat(selection.hasOnDemand()).isTrue();
    assertThat(selection.computed())
        .extracting(Requested::reference)
        .containsExactly("risk:halves", "risk:ratio");
    assertThat(selection.features())
        .extracting(Requested::reference)
        .containsExactly("s:str", "s:ok", "s:i64", "s:f64");
    assertThat(selection.stored().requested())
        .extracting(Requested::reference)
        .containsExactly("s:str", "s:ok", "s:i64", "s:f64");
  }

  @Test
  void anInputAlsoRequestedIsReadOnce() {
    FeatureSelection selection = FeatureSelection.of(DEFINITIONS, List.of("risk", "s:i64"));

    assertThat(selection.features())
        .extracting(Requested::reference)
        .containsExactly("s:i64", "s:f64", "s:i32");
  }

  @Test
  void theEvaluatorBindsOnlyWhatTheRequestedExpressionsRead() {
    FeatureSelection selection = FeatureSelection.of(DEFINITIONS, List.of("risk:halves"));
    OnDemandEvaluator evaluator = OnDemandEvaluator.of(selection, DEFINITIONS);

    assertThat(evaluator.variables()).extracting(Variable::name).containsExactly("s.i64");
    assertThat(evaluator.requestFields()).isEmpty();
    assertThat(selection.features()).extracting(Requested::reference).containsExactly("s:i64");

    OnDemandEvaluator both =
        OnDemandEvaluator.of(
            FeatureSelection.of(DEFINITIONS, List.of("risk:ratio", "risk:halves")), DEFINITIONS);
    assertThat(both.variables())
        .extracting(Variable::name)
        .containsExactly("amount", "s.f64", "s.i64");
    assertThat(both.requestFields()).extracting(Variable::name).containsExactly("amount");
  }

  @Test
  void errorsAreCountedPerFeature() {
    OnDemandEvaluator evaluator =
        OnDemandEvaluator.of(
            FeatureSelection.of(DEFINITIONS, List.of("risk:halves", "risk:per_trip")), DEFINITIONS);
    assertThat(evaluator.variables()).extracting(Variable::name).containsExactly("s.i64", "s.i32");
    long halves = OnDemandErrors.counts().getOrDefault("risk:halves", 0L);
    long perTrip = OnDemandErrors.counts().getOrDefault("risk:per_trip", 0L);

    OnDemandEvaluator.Bindings bindings = evaluator.bindings();
    bindings.set(0, 10L);
    bindings.set(1, 0);
    for (int row = 0; row < 3; row++) {
      assertThat(evaluator.evaluate(0, bindings)).isEqualTo(5L);
      assertThat(evaluator.evaluate(1, bindings)).isNull();
    }
    bindings.set(1, null);
    assertThat(evaluator.evaluate(1, bindings)).isNull();

    assertThat(OnDemandErrors.counts())
        .containsEntry("risk:halves", halves)
        .containsEntry("risk:per_trip", perTrip + 4);
  }

  @Test
  void aMacrosLoopVariableIsNotTheRequestFieldItShadows() {
    OnDemandFeatureView loop =
        new OnDemandFeatureView(
            "loop",
            List.of(),
            List.of(
                Feature.of("amount", FLOAT64), Feature.of("n", ValueType.listOf(ScalarType.INT64))),
            List.of(
                OnDemandFeature.of(
                    "any_big", ValueType.scalar(ScalarType.BOOL), "n.exists(amount, amount > 1)")));
    Definitions definitions =
        new Definitions(
            List.of(),
            List.of(),
            List.of(OnDemandGoldenTest.STORED),
            List.of(),
            List.of(),
            List.of(loop));
    OnDemandEvaluator evaluator =
        OnDemandEvaluator.of(FeatureSelection.of(definitions, List.of("loop")), definitions);

    assertThat(evaluator.requestFields()).extracting(Variable::name).containsExactly("n");
  }
}
