package dev.quiver.sdk;

import dev.quiver.offline.SourceChecks;
import dev.quiver.registry.load.DefinitionException;
import dev.quiver.registry.load.FeatureRepo;
import dev.quiver.registry.load.Problem;
import java.util.ArrayList;
import java.util.List;

/**
 * The checks {@code apply} and {@code plan} run on a repo's data before registering it: each
 * source's Parquet footers against the columns its views read.
 */
public final class SourceValidation {

  private SourceValidation() {}

  /**
   * @param strict whether a source path that matches no file yet is an error, not a warning
   * @return the warnings, when nothing is wrong
   * @throws DefinitionException with every problem found
   */
  public static List<Problem> check(FeatureRepo repo, boolean strict) {
    SourceChecks.Result result =
        SourceChecks.check(repo.definitions(), repo.locations(), repo.config().root());
    List<Problem> errors = new ArrayList<>(result.errors());
    if (strict) {
      errors.addAll(result.warnings());
    }
    if (!errors.isEmpty()) {
      throw new DefinitionException(errors);
    }
    return result.warnings();
  }
}
