package dev.quiver.sdk;

import dev.quiver.QuiverException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * An application's {@code main} that uses the SDK in a JVM started without {@code --add-opens}: run
 * by {@link WithoutAddOpensTest} in a process of its own. Prints one line per step.
 */
public final class WithoutAddOpensProgram {

  private WithoutAddOpensProgram() {}

  /** Arguments: the repo, its entity file. */
  public static void main(String[] args) throws Exception {
    Path repo = Path.of(args[0]);
    Path entities = Path.of(args[1]);
    try (FeatureStore store = FeatureStore.open(repo)) {
      OnlineResponse online =
          store.onlineFeatures(
              OnlineRequest.ofFeatures(
                  List.of("driver_hourly_stats:conv_rate"), Map.of("driver_id", List.of(1001L))));
      System.out.println("online " + online.column("conv_rate").statuses());
      HistoricalRequest request =
          HistoricalRequest.builder()
              .entities(entities)
              .features(List.of("driver_hourly_stats:conv_rate"))
              .build();
      Path parquet = Files.createTempDirectory("quiver-sdk").resolve("set.parquet");
      System.out.println(
          "parquet rows " + store.writeHistoricalFeatures(request, parquet).outputRows());
      try {
        store.writeHistoricalFeatures(request, parquet.resolveSibling("set.arrow"));
        System.out.println("arrow written");
      } catch (QuiverException e) {
        System.out.println("arrow refused: " + e.getMessage());
      }
    }
    try (FeatureStore remote = FeatureStore.connect(URI.create("http://127.0.0.1:1"))) {
      System.out.println("connected");
    } catch (QuiverException e) {
      System.out.println("connect refused: " + e.getMessage());
    }
  }
}
