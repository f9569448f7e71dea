package dev.quiver.registry.ondemand;

import dev.cel.common.values.NullValue;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelVariableResolver;
import dev.quiver.registry.FeatureSelection;
import dev.quiver.registry.FeatureSelection.Computed;
import dev.quiver.registry.model.Definitions;
import dev.quiver.registry.model.ValueType;
import dev.quiver.registry.ondemand.OnDemandCompiler.CompiledFeature;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;

/**
 * Evaluates a selection's on-demand features row by row: the one evaluator behind training sets
 * (the join's output stage) and online lookups, so the same inputs give the same values in both.
 *
 * <p>A caller binds each of {@link #variables()} for a row in a {@link Bindings} (one per thread),
 * then asks for each feature. A null input is CEL's {@code null}; an evaluation that ends in a CEL
 * error (integer division by zero, overflow, null where a number is needed) gives null and is
 * counted in {@link OnDemandErrors}.
 */
public final class OnDemandEvaluator {

  private final List<Computed> features;
  private final List<Variable> variables;
  private final Map<String, Integer> slots;
  private final CompiledFeature[] programs;
  private final int[][] slotsOfReads;
  private final LongAdder[] errors;

  private OnDemandEvaluator(List<Computed> features, Definitions definitions, boolean training) {
    this.features = List.copyOf(features);
    Map<String, Variable> needed = new LinkedHashMap<>();
    programs = new CompiledFeature[features.size()];
    errors = new LongAdder[features.size()];
    for (int f = 0; f < features.size(); f++) {
      programs[f] = OnDemandPrograms.of(features.get(f), definitions);
      errors[f] = OnDemandErrors.counter(features.get(f).reference(), training);
      programs[f].reads().forEach(v -> needed.putIfAbsent(v.name(), v));
    }
    variables = List.copyOf(needed.values());
    slots = new HashMap<>();
    for (int v = 0; v < variables.size(); v++) {
      slots.put(variables.get(v).name(), v);
    }
    slotsOfReads = new int[features.size()][];
    for (int f = 0; f < features.size(); f++) {
      List<Variable> reads = programs[f].reads();
      slotsOfReads[f] = new int[reads.size()];
      for (int r = 0; r < reads.size(); r++) {
        slotsOfReads[f][r] = slots.get(reads.get(r).name());
      }
    }
  }

  /**
   * The evaluator of a selection's requested on-demand features, in request order, for online
   * lookups: its errors are the ones {@link OnDemandErrors#counts()} gives.
   */
  public static OnDemandEvaluator of(FeatureSelection selection, Definitions definitions) {
    return new OnDemandEvaluator(selection.computed(), definitions, false);
  }

  /**
   * The evaluator for training sets: the same, its errors counted apart from online lookups'
   * ({@link OnDemandErrors#trainingCounts()}).
   */
  public static OnDemandEvaluator forTraining(FeatureSelection selection, Definitions definitions) {
    return new OnDemandEvaluator(selection.computed(), definitions, true);
  }

  /** The features evaluated, in request order. */
  public List<Computed> features() {
    return features;
  }

  /** What the features read, each once: request fields and input features. */
  public List<Variable> variables() {
    return variables;
  }

  /** The request fields the features read, each once, in order. */
  public List<Variable> requestFields() {
    return variables.stream().filter(Variable::isRequestField).toList();
  }

  /**
   * Where each of {@link #variables()} comes from in {@code selection} (the selection this
   * evaluator was made for): the index of its stored feature in {@link
   * FeatureSelection#features()}, or -1 for a request field.
   */
  public int[] inputIndexes(FeatureSelection selection) {
    Map<String, Integer> stored = new HashMap<>();
    for (int f = 0; f < selection.features().size(); f++) {
      FeatureSelection.Selected s = selection.features().get(f);
      stored.put(s.viewName() + "." + s.feature().name(), f);
    }
    int[] inputs = new int[variables.size()];
    for (int v = 0; v < inputs.length; v++) {
      inputs[v] = variables.get(v).isRequestField() ? -1 : stored.get(variables.get(v).name());
    }
    return inputs;
  }

  /** The on-demand view that declares request field {@code field}: the first requested one. */
  public String viewOf(Variable field) {
    return features.stream()
        .filter(f -> f.view().requestField(field.name()).isPresent())
        .map(Computed::viewName)
        .findFirst()
        .orElseThrow();
  }

  /** Empty bindings for this evaluator's variables; not thread-safe. */
  public Bindings bindings() {
    return new Bindings(slots, variables.size());
  }

  /**
   * Feature {@code f}'s value for the row bound in {@code bindings}: a value of its declared type,
   * or null (CEL's null, a CEL error, or a result that does not fit the declared type).
   */
  public Object evaluate(int f, Bindings bindings) {
    ValueType type = features.get(f).feature().type();
    CompiledExpression compiled = programs[f].compiled();
    Object result;
    if (compiled != null) {
      CompiledExpression.Frame frame = bindings.frame;
      frame.values = bindings.values;
      frame.slots = slotsOfReads[f];
      result = compiled.evaluate(frame);
      if (result == CompiledExpression.ERROR_RESULT) {
        errors[f].increment();
        return null;
      }
      if (result == CompiledExpression.NULL_RESULT) {
        return null;
      }
    } else {
      try {
        result = programs[f].program().eval(bindings);
      } catch (CelEvaluationException e) {
        errors[f].increment();
        return null;
      }
      if (result instanceof NullValue) {
        return null;
      }
    }
    Object value = CelValues.fromCel(result, type);
    if (value == null) {
      // An int past int32, a timestamp past 2262: no value of the declared type.
      errors[f].increment();
    }
    return value;
  }

  /** Whether feature {@code f} runs compiled rather than on CEL's interpreter (for tests). */
  boolean isCompiled(int f) {
    return programs[f].compiled() != null;
  }

  /** One row's values of an evaluator's variables, set by variable index. */
  public static final class Bindings implements CelVariableResolver {
    private final Map<String, Integer> slots;
    private final Object[] values;
    // CEL's form of each value, made when CEL's interpreter first asks for it: one object per
    // value, as CEL finds a value equal to itself by identity (a NaN variable equals itself).
    private final Object[] celValues;
    private final CompiledExpression.Frame frame = new CompiledExpression.Frame();

    private Bindings(Map<String, Integer> slots, int size) {
      this.slots = slots;
      this.values = new Object[size];
      this.celValues = new Object[size];
    }

    /**
     * Binds variable {@code v} to a value as the SDK and training sets hold it (Integer, Float,
     * byte[], Instant, lists of them), or null.
     */
    public void set(int v, Object value) {
      values[v] = value;
      celValues[v] = null;
    }

    /** The variable as CEL's interpreter takes it: converted when asked for. */
    @Override
    public Optional<Object> find(String name) {
      Integer slot = slots.get(name);
      if (slot == null) {
        return Optional.empty();
      }
      if (celValues[slot] == null) {
        celValues[slot] = CelValues.toCel(values[slot]);
      }
      return Optional.of(celValues[slot]);
    }
  }
}
