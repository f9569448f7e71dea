package dev.quiver.sdk;

import dev.quiver.registry.FeatureSelection;
import dev.quiver.registry.model.Definitions;
import dev.quiver.registry.ondemand.OnDemandEvaluator;

/**
 * How a selection's on-demand features are answered online, worked out once per cached selection so
 * that a lookup only indexes arrays: the evaluator, where each of its variables comes from, and
 * where each requested feature's column comes from.
 *
 * @param inputs {@link OnDemandEvaluator#inputIndexes}: per evaluator variable, its stored
 *     feature's index in {@link FeatureSelection#features()}, or -1 for a request field
 * @param outputs {@link FeatureSelection#readIndexes}: per requested feature, its stored column's
 *     index, or -1 for the next of the evaluator's features
 */
record OnDemandPlan(OnDemandEvaluator evaluator, int[] inputs, int[] outputs) {

  /** The plan of a selection with on-demand features. */
  static OnDemandPlan of(FeatureSelection selection, Definitions definitions) {
    OnDemandEvaluator evaluator = OnDemandEvaluator.of(selection, definitions);
    return new OnDemandPlan(evaluator, evaluator.inputIndexes(selection), selection.readIndexes());
  }
}
