package dev.quiver.sdk;

import dev.quiver.registry.FeatureSelection;
import dev.quiver.registry.model.Definitions;
import dev.quiver.registry.ondemand.OnDemandEvaluator;
import dev.quiver.registry.ondemand.Variable;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How a selection's on-demand features are answered online, worked out once per cached selection so
 * that a lookup only indexes arrays: the evaluator, where each of its variables comes from (a
 * stored feature read, or a request field), and where each requested feature's column comes from.
 *
 * @param inputs per evaluator variable, the index of its stored feature in {@link
 *     FeatureSelection#features()}, or -1 for a request field
 * @param outputs per requested feature, the index of its stored column in {@link
 *     FeatureSelection#features()}, or {@code -1 - i} for the evaluator's i-th feature
 */
record OnDemandPlan(OnDemandEvaluator evaluator, int[] inputs, int[] outputs) {

  /** The plan of a selection with on-demand features. */
  static OnDemandPlan of(FeatureSelection selection, Definitions definitions) {
    OnDemandEvaluator evaluator = OnDemandEvaluator.of(selection, definitions);
    Map<String, Integer> read = new HashMap<>();
    List<FeatureSelection.Selected> features = selection.features();
    for (int f = 0; f < features.size(); f++) {
      read.put(features.get(f).reference(), f);
    }
    List<Variable> variables = evaluator.variables();
    int[] inputs = new int[variables.size()];
    for (int v = 0; v < inputs.length; v++) {
      Variable variable = variables.get(v);
      inputs[v] =
          variable.isRequestField() ? -1 : read.get(variable.view() + ":" + variable.feature());
    }
    Map<String, Integer> computed = new HashMap<>();
    for (int c = 0; c < evaluator.features().size(); c++) {
      computed.put(evaluator.features().get(c).reference(), c);
    }
    List<FeatureSelection.Requested> requested = selection.requested();
    int[] outputs = new int[requested.size()];
    for (int r = 0; r < outputs.length; r++) {
      String reference = requested.get(r).reference();
      outputs[r] =
          requested.get(r) instanceof FeatureSelection.Selected
              ? read.get(reference)
              : -1 - computed.get(reference);
    }
    return new OnDemandPlan(evaluator, inputs, outputs);
  }
}
