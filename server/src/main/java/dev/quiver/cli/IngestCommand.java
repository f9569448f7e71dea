package dev.quiver.cli;

import dev.quiver.sdk.FeatureStore;
import dev.quiver.server.StreamIngestion;
import dev.quiver.streaming.DeadLetterReason;
import dev.quiver.streaming.IngestOptions;
import dev.quiver.streaming.IngestionMetrics;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code quiver ingest}: Kafka ingestion in the foreground, until Ctrl-C or SIGTERM. */
@Command(
    name = "ingest",
    mixinStandardHelpOptions = true,
    description = {
      "Keep the online store fresh from Kafka: consume the topics of the views on stream sources",
      "(type: kafka) until Ctrl-C or SIGTERM, which commit what is in hand and exit 0.",
      "",
      "Plain views: each event is a row, written newer-wins. Aggregation views: each event updates",
      "its tiles. With log_to_offline: true on the source, events are also appended to its",
      "batch_source as Parquet files named by partition and offset range, so training sees them.",
      "",
      "Exactly once, in effect: each partition's batches are written online as they arrive; about",
      "once a second (30 s or 200,000 messages when logged offline) its window commits: the log",
      "file, then its dead letters and its consumer offset in one Kafka transaction. A crash at any",
      "point (even kill -9) reads the window again, and nothing is counted twice: online rows are",
      "newer-wins with the offset as their created time, tiles record the offsets they hold, log",
      "files skip the offsets already logged, and the aborted dead letters are sent again.",
      "",
      "Processes in one consumer group (default quiver.<project>, from the earliest offset the",
      "first time) share the partitions; start more to ingest faster. A message that is not a",
      "JSON object of the declared types (reasons: unparseable, missing_field, wrong_type,",
      "null_key, future_event: dated over 5 minutes ahead) goes to the dead-letter topic",
      "<topic>.quiver-dlq with headers quiver.dlq.reason, .detail, .topic, .partition, .offset;",
      "ingestion goes on. A broker or store that goes away is retried with backoff.",
      "",
      "Views with expect rules check each batch (one partition's poll) before writing it: a view",
      "with validation: reject skips a batch that breaks a rule (its offsets are committed, it is",
      "never retried; the offline log keeps the events) and logs the report; warn writes it.",
      "",
      "On a terminal, a line shows events ingested, their rate, dead letters, the consumer lag",
      "and the p99 delay from event time to visible online; problems are reported on stderr.",
      "'quiver serve --ingest' runs the same inside the server."
    })
final class IngestCommand implements Callable<Integer> {

  /** How long a stop waits for the batch in hand to commit. */
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);

  @Option(
      names = "--views",
      split = ",",
      paramLabel = "VIEW,...",
      description =
          "Only these views (default: every view on a stream source). Messages are checked"
              + " against every view on their topic whatever this says, so dead letters do not"
              + " depend on it.")
  List<String> views = List.of();

  @Option(
      names = "--group",
      paramLabel = "GROUP",
      description =
          "The Kafka consumer group (default: quiver.<project>). Processes in one group share"
              + " the partitions; another group reads every message again.")
  String group;

  @Option(
      names = "--max-batch",
      paramLabel = "N",
      defaultValue = "20000",
      description = "The most messages one poll takes (default: ${DEFAULT-VALUE}).")
  int maxBatch;

  @Mixin RepoOption repo;

  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws InterruptedException {
    if (maxBatch < 1) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--max-batch must be at least 1, got " + maxBatch);
    }
    repo.requireDurableOnlineStore(
        "ingest", "run 'quiver serve --ingest', which ingests into the store it serves");
    IngestOptions options = IngestOptions.DEFAULTS.withViews(views).withMaxBatch(maxBatch);
    if (group != null) {
      options = options.withGroup(group);
    }
    PrintWriter err = spec.commandLine().getErr();
    PrintWriter out = spec.commandLine().getOut();
    try (FeatureStore store = FeatureStore.open(repo.root())) {
      StreamIngestion ingestion = StreamIngestion.of(store, repo.root(), options, System.getenv());
      err.printf(
          "Ingesting %s into %s, consumer group %s (Ctrl-C stops after committing the batch in"
              + " hand)%n",
          String.join(", ", ingestion.topics()),
          String.join(", ", ingestion.views()),
          ingestion.group());
      err.flush();
      try (StopOnSignals stop = new StopOnSignals(ingestion, STOP_TIMEOUT, err)) {
        ingestion.start();
        IngestProgress progress = new IngestProgress(err, Terminal.interactive());
        while (!ingestion.awaitEnd(Duration.ofSeconds(1))) {
          progress.update(ingestion);
        }
        progress.finish();
      }
      ingestion.stop(STOP_TIMEOUT);
      if (ingestion.failure().isPresent()) {
        throw ingestion.failure().get();
      }
      out.println(summary(ingestion.metrics()));
    }
    return 0;
  }

  /** What a run did, for stdout when it stops. */
  static String summary(IngestionMetrics metrics) {
    StringJoiner views = new StringJoiner(", ");
    metrics.ingestedByView().forEach((view, events) -> views.add(view + " " + events));
    StringJoiner reasons = new StringJoiner(", ");
    for (Map.Entry<DeadLetterReason, Long> dead : metrics.deadLettersByReason().entrySet()) {
      if (dead.getValue() > 0) {
        reasons.add(dead.getKey().code() + " " + dead.getValue());
      }
    }
    return "Ingested "
        + (views.length() == 0 ? "nothing" : views.toString())
        + "; "
        + metrics.deadLetters()
        + (metrics.deadLetters() == 1 ? " dead letter" : " dead letters")
        + (reasons.length() == 0 ? "" : " (" + reasons + ")")
        + rejected(metrics)
        + "; "
        + metrics.batches()
        + (metrics.batches() == 1 ? " commit." : " commits.");
  }

  /** {@code ; batches rejected by rules: view 2}, or nothing. */
  private static String rejected(IngestionMetrics metrics) {
    StringJoiner views = new StringJoiner(", ");
    metrics.rejectedBatchesByView().forEach((view, batches) -> views.add(view + " " + batches));
    return views.length() == 0 ? "" : "; batches rejected by rules: " + views;
  }
}
