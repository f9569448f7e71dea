package dev.quiver.cli;

import static dev.quiver.cli.CliRun.quiver;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quiver.example.ExampleData;
import dev.quiver.example.ExampleRepo;
import dev.quiver.offline.manifest.DatasetManifest;
import dev.quiver.offline.stats.FeatureStatistics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Types;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code quiver stats} and {@code quiver drift} on the example repo: statistics recorded by {@code
 * historical}, drift against a source window and against serving logs, the HTML report in headless
 * Chromium.
 */
class DriftCliTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;
  private static Path repo;
  private static Path trainingSet;

  @BeforeAll
  static void trainingSetOfTheExampleRepo() {
    repo = dir.resolve("repo");
    ExampleRepo.createAt(repo);
    Path entities = ExampleData.writeEntityRows(repo, ExampleData.Options.defaults(), 2_000);
    assertThat(quiver("apply", "--repo", repo.toString()).exitCode()).isZero();
    trainingSet = dir.resolve("train.parquet");
    CliRun run =
        quiver(
            "historical",
            "--entities",
            entities.toString(),
            "--features",
            "driver_hourly_stats:conv_rate,driver_hourly_stats:acc_rate,customer_profile:segment",
            "--output",
            trainingSet.toString(),
            "--repo",
            repo.toString());
    assertThat(run.exitCode()).as(run.err()).isZero();
  }

  @Test
  void historicalRecordsStatisticsAndReproduceKeepsWorking() throws IOException {
    DatasetManifest manifest = DatasetManifest.read(DatasetManifest.pathFor(trainingSet));
    assertThat(manifest.statistics())
        .extracting(FeatureStatistics::column)
        .containsExactly("conv_rate", "acc_rate", "segment");
    FeatureStatistics conv = manifest.statisticsOf("conv_rate").orElseThrow();
    assertThat(conv.count()).isEqualTo(2_000);
    assertThat(conv.kind()).isEqualTo(FeatureStatistics.Kind.NUMBER);
    assertThat(conv.sketch().getN()).isEqualTo(conv.values());
    assertThat(manifest.statisticsOf("segment").orElseThrow().top()).isNotEmpty();

    Path again = dir.resolve("again.parquet");
    CliRun reproduced =
        quiver(
            "reproduce",
            DatasetManifest.pathFor(trainingSet).toString(),
            "--output",
            again.toString());
    assertThat(reproduced.exitCode()).as(reproduced.err()).isZero();
    // The same rows, so the same exact statistics (KLL compacts at random: its quantiles are
    // equal within its error only, and statistics do not enter reproduce's comparison).
    List<FeatureStatistics> reproducedStatistics =
        DatasetManifest.read(DatasetManifest.pathFor(again)).statistics();
    assertThat(reproducedStatistics)
        .usingRecursiveFieldByFieldElementComparatorIgnoringFields(
            "kll", "quantiles", "histogram", "mean", "stddev")
        .isEqualTo(manifest.statistics());
    for (int i = 0; i < 2; i++) {
      FeatureStatistics before = manifest.statistics().get(i);
      FeatureStatistics after = reproducedStatistics.get(i);
      assertThat(after.mean())
          .isCloseTo(before.mean(), org.assertj.core.api.Assertions.within(1e-12));
      assertThat(after.stddev())
          .isCloseTo(before.stddev(), org.assertj.core.api.Assertions.within(1e-12));
    }
  }

  @Test
  void statsPrintsATrainingSetsStatisticsAndASourceWindows() throws IOException {
    CliRun table = quiver("stats", trainingSet.toString());
    assertThat(table.exitCode()).as(table.err()).isZero();
    assertThat(table.out()).contains("FEATURE", "conv_rate", "segment", "P50");

    CliRun json = quiver("stats", "--manifest", trainingSet + ".manifest.json", "--json");
    assertThat(json.exitCode()).as(json.err()).isZero();
    JsonNode features = JSON.readTree(json.out()).get("features");
    assertThat(features).hasSize(3);
    assertThat(features.get(0).get("feature").asText()).isEqualTo("conv_rate");
    assertThat(features.get(0).get("count").asLong()).isEqualTo(2_000);
    assertThat(features.get(0).has("kll")).isFalse();

    CliRun window =
        quiver(
            "stats",
            "--views",
            "driver_hourly_stats",
            "2026-03-01",
            "2026-03-08",
            "--json",
            "--repo",
            repo.toString());
    assertThat(window.exitCode()).as(window.err()).isZero();
    JsonNode windowFeatures = JSON.readTree(window.out()).get("features");
    assertThat(windowFeatures.get(0).get("feature").asText())
        .isEqualTo("driver_hourly_stats:conv_rate");
    assertThat(windowFeatures.get(0).get("count").asLong()).isPositive();

    // A manifest from before statistics still reads; stats and drift say what it lacks.
    com.fasterxml.jackson.databind.node.ObjectNode old =
        (com.fasterxml.jackson.databind.node.ObjectNode)
            JSON.readTree(Files.readString(DatasetManifest.pathFor(trainingSet)));
    old.remove("statistics");
    Path oldManifest = dir.resolve("old.parquet.manifest.json");
    Files.writeString(oldManifest, old.toString());
    assertThat(DatasetManifest.read(oldManifest).statistics()).isEmpty();
    CliRun oldStats = quiver("stats", oldManifest.toString());
    assertThat(oldStats.exitCode()).isEqualTo(QuiverCli.EXIT_ERROR);
    assertThat(oldStats.err())
        .contains("has no statistics: it was written before Quiver recorded them");
    CliRun oldDrift =
        quiver(
            "drift",
            "--baseline",
            oldManifest.toString(),
            "--views",
            "driver_hourly_stats",
            "2026-03-01",
            "2026-03-08",
            "--repo",
            repo.toString());
    assertThat(oldDrift.exitCode()).isEqualTo(QuiverCli.EXIT_ERROR);
    assertThat(oldDrift.err()).contains("it has no statistics");

    CliRun none = quiver("stats", "--repo", repo.toString());
    assertThat(none.exitCode()).isEqualTo(QuiverCli.EXIT_ERROR);
    assertThat(none.err()).contains("Give one of");
  }

  @Test
  void driftAgainstASourceWindowExitsThreeOverTheThreshold() throws Exception {
    String[] base = {
      "drift",
      "--baseline",
      trainingSet + ".manifest.json",
      "--views",
      "driver_hourly_stats,customer_profile",
      "2026-03-01",
      "2026-03-08",
      "--repo",
      repo.toString()
    };
    CliRun lenient = quiver(concat(base, "--psi-threshold", "1000", "--json"));
    assertThat(lenient.exitCode()).as(lenient.err()).isZero();
    JsonNode report = JSON.readTree(lenient.out());
    assertThat(report.get("drifted").asBoolean()).isFalse();
    List<String> names = new ArrayList<>();
    report.get("features").forEach(f -> names.add(f.get("feature").asText()));
    assertThat(names)
        .containsExactly(
            "driver_hourly_stats:conv_rate",
            "driver_hourly_stats:acc_rate",
            "customer_profile:segment");
    JsonNode conv = report.get("features").get(0);
    assertThat(conv.get("psi").asDouble()).isGreaterThanOrEqualTo(0);
    assertThat(conv.get("ks").asDouble()).isBetween(0.0, 1.0);
    assertThat(conv.get("psi_bins")).hasSize(11);

    Path html = dir.resolve("window.html");
    CliRun strict = quiver(concat(base, "--psi-threshold", "0", "--html", html.toString()));
    assertThat(strict.exitCode()).as(strict.err()).isEqualTo(DriftCommand.EXIT_DRIFT);
    assertThat(strict.out()).contains("drift", "features drifted (PSI threshold 0.0)");
    // The category's charts: a bar per segment and one for the nulls, on both sides.
    String dom = chromium("--dump-dom", html.toUri().toString());
    Matcher segment =
        Pattern.compile(
                "<svg [^>]*data-side=\"current\" data-feature=\"customer_profile:segment\"[^>]*>(.*?)</svg>",
                Pattern.DOTALL)
            .matcher(dom);
    assertThat(segment.find()).isTrue();
    assertThat(countOf(segment.group(1), "<rect class=\"bar")).isEqualTo(5);
    Path png = Path.of("target", "drift-report-window.png").toAbsolutePath();
    Files.createDirectories(png.getParent());
    chromium("--screenshot=" + png, "--window-size=1100,2000", html.toUri().toString());
  }

  @Test
  void driftOfServingLogsFindsTheShiftedFeatureAndTheReportShowsItsCharts() throws Exception {
    // Logged rows as the logging writes them: conv_rate served 0.5 higher than trained on.
    Path logs = repo.resolve("data/logs/driver_activity_v1");
    Files.createDirectories(logs);
    long seed = System.nanoTime();
    System.out.println("DriftCliTest logs seed " + seed);
    Random random = new Random(seed);
    Instant since = Instant.parse("2026-03-10T00:00:00Z");
    writeLog(logs.resolve("log-1773100800000-test-1.parquet"), since, random, 0.5, 3_000);
    // Rows before --since must not count: these are unshifted.
    writeLog(
        logs.resolve("log-1773014400000-test-0.parquet"),
        since.minusSeconds(86_400),
        random,
        0,
        3_000);

    Path html = dir.resolve("report.html");
    CliRun run =
        quiver(
            "drift",
            "--baseline",
            trainingSet.toString(),
            "--logs",
            "driver_activity_v1",
            "--since",
            since.toString(),
            "--html",
            html.toString(),
            "--repo",
            repo.toString());
    assertThat(run.exitCode()).as(run.out() + run.err()).isEqualTo(DriftCommand.EXIT_DRIFT);
    assertThat(run.out()).contains("driver_hourly_stats:conv_rate").contains("1 feature drifted");

    // Chromium renders the page: one chart per side for the feature, a bar per bin on each.
    String dom = chromium("--dump-dom", html.toUri().toString());
    Matcher svgs =
        Pattern.compile(
                "<svg [^>]*data-side=\"(baseline|current)\" data-feature=\"([^\"]+)\"[^>]*>(.*?)</svg>",
                Pattern.DOTALL)
            .matcher(dom);
    List<String> bars = new ArrayList<>();
    while (svgs.find()) {
      bars.add(
          svgs.group(2) + " " + svgs.group(1) + " " + countOf(svgs.group(3), "<rect class=\"bar"));
    }
    // 20 equal-width bins and the nulls' bar (the training set has nulls), on both sides.
    assertThat(bars)
        .containsExactly(
            "driver_hourly_stats:conv_rate baseline 21",
            "driver_hourly_stats:conv_rate current 21",
            "driver_hourly_stats:acc_rate baseline 21",
            "driver_hourly_stats:acc_rate current 21");
    assertThat(countOf(dom, "<span class=\"badge fail\">")).as("summary and section").isEqualTo(2);
    assertThat(countOf(dom, "<span class=\"badge pass\">")).isEqualTo(2);
    assertThat(dom).contains("Feature drift report", "badge fail", "driver_hourly_stats:conv_rate");
    assertThat(Files.readString(html)).doesNotContain("<script", "http://", "https://", "@import");

    Path png = Path.of("target", "drift-report.png").toAbsolutePath();
    Files.createDirectories(png.getParent());
    Files.deleteIfExists(png);
    chromium("--screenshot=" + png, "--window-size=1100,1500", html.toUri().toString());
    assertThat(png).isNotEmptyFile();
  }

  private static void writeLog(Path file, Instant time, Random random, double shift, int rows)
      throws IOException {
    MessageType schema =
        Types.buildMessage()
            .required(PrimitiveTypeName.BINARY)
            .as(LogicalTypeAnnotation.stringType())
            .named("request_id")
            .required(PrimitiveTypeName.INT64)
            .as(LogicalTypeAnnotation.timestampType(true, LogicalTypeAnnotation.TimeUnit.MICROS))
            .named("request_time")
            .optional(PrimitiveTypeName.FLOAT)
            .named("driver_hourly_stats__conv_rate")
            .optional(PrimitiveTypeName.FLOAT)
            .named("driver_hourly_stats__acc_rate")
            .named("log");
    SimpleGroupFactory groups = new SimpleGroupFactory(schema);
    try (ParquetWriter<Group> writer =
        ExampleParquetWriter.builder(new LocalOutputFile(file)).withType(schema).build()) {
      for (int i = 0; i < rows; i++) {
        Group row = groups.newGroup();
        row.add("request_id", "r" + i);
        row.add("request_time", (time.getEpochSecond() + i) * 1_000_000L);
        // The example data's conv_rate is uniform on [0, 1).
        row.add("driver_hourly_stats__conv_rate", (float) (random.nextDouble() + shift));
        // acc_rate is uniform on [0.5, 1): served as trained on.
        row.add("driver_hourly_stats__acc_rate", (float) (0.5 + random.nextDouble() / 2));
        writer.write(row);
      }
    }
  }

  private static String chromium(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.addAll(
        List.of(
            "chromium",
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--user-data-dir=" + dir.resolve("chromium-profile")));
    command.addAll(List.of(args));
    Process process =
        new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).isZero();
    return out;
  }

  private static int countOf(String text, String part) {
    int count = 0;
    for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
      count++;
    }
    return count;
  }

  private static String[] concat(String[] a, String... b) {
    String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }
}
