package dev.quiver.example;

import dev.quiver.OutputException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/** The example repo's definition files, as shipped in this module's jar. */
public final class ExampleRepo {

  /** Every file of the repo; a test keeps this list equal to the module folder's YAML files. */
  public static final List<String> FILES =
      List.of(
          "feature_store.yaml",
          "entities.yaml",
          "driver_stats.yaml",
          "customer_profile.yaml",
          "driver_customer.yaml",
          "driver_trips.yaml",
          "booking_risk.yaml",
          "services.yaml");

  private static final String RESOURCE_FOLDER = "/dev/quiver/example/repo/";

  private ExampleRepo() {}

  /**
   * Copies the definition files into {@code target}, creating it; no data is generated.
   *
   * @throws OutputException when a file cannot be written
   */
  public static void copyDefinitionsTo(Path target) {
    try {
      Files.createDirectories(target);
      for (String file : FILES) {
        try (InputStream in = ExampleRepo.class.getResourceAsStream(RESOURCE_FOLDER + file)) {
          if (in == null) {
            throw new IllegalStateException("The example repo file " + file + " is not packaged");
          }
          Files.copy(in, target.resolve(file), StandardCopyOption.REPLACE_EXISTING);
        }
      }
    } catch (IOException e) {
      throw new OutputException("Cannot copy the example repo to " + target + ": " + e, e);
    }
  }

  /** Copies the definitions into {@code target} and generates the data with the default seed. */
  public static ExampleData.Summary createAt(Path target) {
    copyDefinitionsTo(target);
    return ExampleData.generate(target, ExampleData.Options.defaults());
  }

  /**
   * As {@link #createAt(Path)}, with data ending at {@code end}: with the current hour, online
   * values are within their views' ttl now.
   */
  public static ExampleData.Summary createAt(Path target, java.time.Instant end) {
    copyDefinitionsTo(target);
    return ExampleData.generate(target, ExampleData.Options.defaults().withEnd(end));
  }
}
