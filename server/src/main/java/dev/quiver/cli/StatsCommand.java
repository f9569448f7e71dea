package dev.quiver.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.quiver.monitoring.drift.DriftBaselines;
import dev.quiver.offline.manifest.DatasetManifest;
import dev.quiver.offline.stats.FeatureStatistics;
import dev.quiver.registry.InvalidRequestException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "stats",
    mixinStandardHelpOptions = true,
    description = {
      "Print the statistics of each feature: rows, nulls, distinct values (approximate, HLL),",
      "and for numbers mean, standard deviation, min, quantiles (KLL) and max, for strings and",
      "bools the most frequent values.",
      "",
      "Of a training set: the statistics its manifest recorded while it was written (give the",
      "training set or its manifest). Of current data: --views computes them from a window of",
      "the views' sources, --logs from a feature service's serving logs; both stream the files."
    })
final class StatsCommand implements Callable<Integer> {

  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "TRAINING_SET",
      description = "A training set written by 'quiver historical', or its .manifest.json.")
  Path trainingSet;

  @Option(names = "--manifest", paramLabel = "FILE", description = "A training set's manifest.")
  Path manifest;

  @CommandLine.ArgGroup(exclusive = false)
  WindowOption window = new WindowOption();

  @Option(names = "--json", description = "Print the statistics as JSON, and nothing else.")
  boolean json;

  @Mixin RepoOption repo;

  @Spec CommandLine.Model.CommandSpec spec;

  static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  @Override
  public Integer call() throws JsonProcessingException {
    window.check(spec);
    int sources =
        (trainingSet != null ? 1 : 0) + (manifest != null ? 1 : 0) + (window.given() ? 1 : 0);
    if (sources != 1) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "Give one of: a training set, --manifest FILE, --views VIEWS START END, --logs SERVICE");
    }
    String source;
    List<FeatureStatistics> statistics;
    if (window.given()) {
      source = window.describe();
      statistics = new ArrayList<>(window.compute(spec, repo.load(), null).values());
    } else {
      Path file = DriftBaselines.manifestOf(manifest != null ? manifest : trainingSet);
      DatasetManifest read = DatasetManifest.read(file);
      source = file.toString();
      statistics = read.statistics();
      if (statistics.isEmpty()) {
        throw new InvalidRequestException(
            "The manifest "
                + file
                + " has no statistics: "
                + whyNoStatistics(read)
                + "; compute them from the sources with --views VIEWS START END");
      }
    }
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      Map<String, Object> map = new LinkedHashMap<>();
      map.put("source", source);
      List<Object> features = new ArrayList<>();
      for (FeatureStatistics s : statistics) {
        Map<String, Object> feature = new LinkedHashMap<>();
        feature.put("feature", s.column());
        feature.putAll(s.toMap());
        feature.remove("kll");
        features.add(feature);
      }
      map.put("features", features);
      out.println(JSON.writeValueAsString(map));
      return 0;
    }
    out.println("Statistics of " + source + ":");
    print(statistics, out);
    return 0;
  }

  /** Why a manifest has no statistics, for messages. */
  static String whyNoStatistics(DatasetManifest manifest) {
    return manifest.engine().equals(DatasetManifest.SPARK)
        ? "the Spark engine does not compute them"
        : "it was written before Quiver recorded them";
  }

  static void print(List<FeatureStatistics> statistics, PrintWriter out) {
    TextTable table =
        new TextTable(
            "FEATURE",
            "TYPE",
            "ROWS",
            "NULLS",
            "DISTINCT",
            "MEAN",
            "STDDEV",
            "MIN",
            "P50",
            "MAX",
            "TOP VALUES");
    for (FeatureStatistics s : statistics) {
      table.add(
          s.column(),
          s.type(),
          Long.toString(s.count()),
          percent(s.nullFraction()),
          s.distinct() < 0 ? "" : "~" + s.distinct(),
          number(s.mean()),
          number(s.stddev()),
          number(s.min()),
          number(s.quantiles().get("p50")),
          number(s.max()),
          top(s));
    }
    table.print(out, Terminal.colour());
  }

  private static String top(FeatureStatistics s) {
    List<String> values = new ArrayList<>();
    long rows = s.values();
    for (int i = 0; i < Math.min(3, s.top().size()); i++) {
      FeatureStatistics.TopValue v = s.top().get(i);
      values.add(v.value() + " " + percent(rows == 0 ? 0 : (double) v.count() / rows));
    }
    return String.join(", ", values);
  }

  static String percent(double share) {
    return String.format(Locale.ROOT, "%.1f%%", share * 100);
  }

  static String number(Double value) {
    if (value == null) {
      return "";
    }
    if (value == Math.rint(value) && Math.abs(value) < 1e15) {
      return Long.toString(value.longValue());
    }
    return String.format(Locale.ROOT, "%.4g", value);
  }
}
