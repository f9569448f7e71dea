package dev.quiver.registry.ondemand;

import dev.quiver.QuiverException;
import dev.quiver.registry.FeatureSelection.Computed;
import dev.quiver.registry.model.Definitions;
import dev.quiver.registry.model.OnDemandFeatureView;
import dev.quiver.registry.ondemand.OnDemandCompiler.CompiledFeature;
import dev.quiver.registry.ondemand.OnDemandCompiler.CompiledView;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Compiled on-demand views, compiled once per set of definitions: a registry version's views are
 * compiled on their first request and reused by every request after it.
 */
public final class OnDemandPrograms {

  private record Entry(Definitions definitions, CompiledView compiled) {}

  /** By view name; an entry made for other definitions is made again. */
  private static final Map<String, Entry> COMPILED = new ConcurrentHashMap<>();

  private OnDemandPrograms() {}

  /**
   * The view compiled against {@code definitions}.
   *
   * @throws QuiverException when an expression does not compile: definitions that passed {@code
   *     apply} always do
   */
  public static CompiledView of(OnDemandFeatureView view, Definitions definitions) {
    Entry known = COMPILED.get(view.name());
    if (known != null && known.definitions() == definitions && known.compiled().view() == view) {
      return known.compiled();
    }
    CompiledView compiled = OnDemandCompiler.compile(view, definitions);
    if (!compiled.ok()) {
      Map.Entry<String, String> first = compiled.problems().entrySet().iterator().next();
      throw new QuiverException(
          "Cannot compute on-demand feature '"
              + view.name()
              + ":"
              + first.getKey()
              + "': "
              + first.getValue()
              + "; run quiver apply to see every problem");
    }
    COMPILED.put(view.name(), new Entry(definitions, compiled));
    return compiled;
  }

  /** The compiled program of one requested feature. */
  public static CompiledFeature of(Computed feature, Definitions definitions) {
    return of(feature.view(), definitions).features().get(feature.feature().name());
  }

  /** The variables a requested on-demand feature's expression reads. */
  public static List<Variable> reads(Computed feature, Definitions definitions) {
    return of(feature, definitions).reads();
  }
}
