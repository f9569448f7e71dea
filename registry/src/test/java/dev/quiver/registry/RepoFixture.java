package dev.quiver.registry;

import dev.quiver.registry.load.DefinitionException;
import dev.quiver.registry.load.FeatureRepo;
import dev.quiver.registry.load.Problem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Writes small feature repos for tests. */
public final class RepoFixture {

  public static final String CONFIG = "project: rides\n";

  public static final String ENTITIES =
      """
      entities:
        - name: driver
          join_key: driver_id
          type: int64
        - name: customer
          join_key: customer_id
          type: string
      """;

  public static final String DRIVER_STATS =
      """
      sources:
        - name: driver_stats_source
          path: data/driver_stats.parquet
          timestamp_field: event_timestamp
          created_timestamp_field: created
      feature_views:
        - name: driver_hourly_stats
          entities: [driver]
          source: driver_stats_source
          ttl: 1d
          features:
            - {name: conv_rate, type: float32}
            - {name: avg_daily_trips, type: int64}
          tags: {team: drivers}
      feature_services:
        - name: ranking
          features: [driver_hourly_stats]
      """;

  private final Path root;

  private RepoFixture(Path root) {
    this.root = root;
  }

  /** A valid repo: two entities, one source, one view, one service. */
  public static RepoFixture valid(Path root) {
    return empty(root)
        .write("feature_store.yaml", CONFIG)
        .write("entities.yaml", ENTITIES)
        .write("driver_stats.yaml", DRIVER_STATS);
  }

  public static RepoFixture empty(Path root) {
    return new RepoFixture(root);
  }

  public RepoFixture write(String relativePath, String content) {
    try {
      Path file = root.resolve(relativePath);
      Files.createDirectories(file.getParent());
      Files.writeString(file, content);
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public Path root() {
    return root;
  }

  /** The problems loading this repo reports, one line each; fails when it loads. */
  public List<String> loadProblems() {
    try {
      FeatureRepo.load(root, Map.of());
    } catch (DefinitionException e) {
      return e.problems().stream().map(Problem::toString).toList();
    }
    throw new AssertionError("the repo loaded without problems");
  }
}
