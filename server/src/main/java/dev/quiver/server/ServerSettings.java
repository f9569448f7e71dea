package dev.quiver.server;

import io.micronaut.context.annotation.Value;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** The server's own settings ({@code quiver.server.*}), from properties or the environment. */
@Singleton
public final class ServerSettings {

  static final String REPO = "quiver.server.repo";

  private final Path repo;
  private final Optional<String> writeToken;
  private final Optional<String> readToken;
  private final int maxEntityRows;
  private final Duration registryPoll;
  private final int flightPort;
  private final int trainingSetChunkRows;

  ServerSettings(
      @Value("${quiver.server.repo}") String repo,
      @Value("${quiver.server.write-token:}") String writeToken,
      @Value("${quiver.server.read-token:}") String readToken,
      @Value("${quiver.server.max-entity-rows:10000}") int maxEntityRows,
      @Value("${quiver.server.registry-poll:2s}") Duration registryPoll,
      @Value("${quiver.server.flight-port:6567}") int flightPort,
      @Value("${quiver.server.training-set-chunk-rows:0}") int trainingSetChunkRows) {
    this.repo = Path.of(repo);
    this.writeToken = token(writeToken, "QUIVER_WRITE_TOKEN");
    this.readToken = token(readToken, "QUIVER_READ_TOKEN");
    this.maxEntityRows = maxEntityRows;
    this.registryPoll = registryPoll;
    this.flightPort = flightPort;
    if (trainingSetChunkRows < 0) {
      throw new IllegalArgumentException(
          "quiver.server.training-set-chunk-rows cannot be negative: " + trainingSetChunkRows);
    }
    this.trainingSetChunkRows = trainingSetChunkRows;
  }

  /**
   * Entity rows joined at a time for a training set over Flight, which bounds the memory one
   * request holds; 0 for as many as take about half the join's memory budget.
   */
  public int trainingSetChunkRows() {
    return trainingSetChunkRows;
  }

  /** The Arrow Flight port (0 picks a free one). */
  public int flightPort() {
    return flightPort;
  }

  public Path repo() {
    return repo;
  }

  private static Optional<String> token(String configured, String variable) {
    String token = configured.isEmpty() ? System.getenv().getOrDefault(variable, "") : configured;
    return token.isBlank() ? Optional.empty() : Optional.of(token);
  }

  /**
   * The bearer token reads (online lookups, the registry, training sets over Flight) require, when
   * one is set; the write token is accepted for reads too.
   */
  public Optional<String> readToken() {
    return readToken;
  }

  /** The bearer token the write endpoints require, when one is set. */
  public Optional<String> writeToken() {
    return writeToken;
  }

  /** The most entity rows one online request may ask for. */
  public int maxEntityRows() {
    return maxEntityRows;
  }

  /** How often the registry is checked for a newer version. */
  public Duration registryPoll() {
    return registryPoll;
  }
}
