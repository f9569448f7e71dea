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

  /**
   * A view of one set of definitions: the same instance (a registry version as loaded), compared by
   * identity, so that two projects or versions in one process keep their own entries.
   */
  private record Key(String view, Definitions definitions) {
    @Override
    public boolean equals(Object other) {
      return other instanceof Key key && key.view.equals(view) && key.definitions == definitions;
    }

    @Override
    public int hashCode() {
      return view.hashCode() * 31 + System.identityHashCode(definitions);
    }
  }

  /** Entries beyond this many are dropped all at once (registry versions come and go). */
  private static final int MAX_ENTRIES = 1_024;

  private static final Map<Key, CompiledView> COMPILED = new ConcurrentHashMap<>();

  private OnDemandPrograms() {}

  /**
   * The view compiled against {@code definitions}.
   *
   * @throws QuiverException when an expression does not compile: definitions that passed {@code
   *     apply} always do
   */
  public static CompiledView of(OnDemandFeatureView view, Definitions definitions) {
    Key key = new Key(view.name(), definitions);
    CompiledView known = COMPILED.get(key);
    if (known != null && known.view() == view) {
      return known;
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
    if (COMPILED.size() >= MAX_ENTRIES) {
      COMPILED.clear();
    }
    COMPILED.put(key, compiled);
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
