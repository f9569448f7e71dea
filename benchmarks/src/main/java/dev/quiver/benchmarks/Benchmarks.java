package dev.quiver.benchmarks;

/** Entry point of {@code benchmarks/run.sh NAME}. */
public final class Benchmarks {

  private Benchmarks() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 1) {
      System.err.println(
          "usage: benchmarks/run.sh NAME   (names: historical, aggregations, online, on-demand,"
              + " materialize, serve, serve-feast, logging, remote, concurrent, tiles, ingest, ingest-delay, spark, console)");
      System.exit(1);
    }
    switch (args[0]) {
      case "historical" -> HistoricalBenchmark.main(new String[0]);
      case "aggregations" -> AggregationBenchmark.main(new String[0]);
      case "online" -> OnlineBenchmark.main(new String[0]);
      case "on-demand" -> OnDemandBenchmark.main(new String[0]);
      case "materialize" -> MaterializeBenchmark.main(new String[0]);
      case "serve" -> ServeBenchmark.main(new String[0]);
      case "serve-feast" -> FeastServeBenchmark.main(new String[0]);
      case "logging" -> LoggingBenchmark.main(new String[0]);
      case "remote" -> RemoteBenchmark.main(new String[0]);
      case "concurrent" -> ConcurrentBenchmark.main(new String[0]);
      case "tiles" -> TilesBenchmark.main(new String[0]);
      case "ingest" -> IngestBenchmark.throughput();
      case "ingest-delay" -> IngestBenchmark.delay();
      case "spark" -> SparkBenchmark.main(new String[0]);
      case "console" -> ConsoleBenchmark.main(new String[0]);
      default -> {
        System.err.println(
            "unknown benchmark '"
                + args[0]
                + "'; names: historical, aggregations, online, on-demand, materialize, serve, serve-feast, logging, remote,"
                + " concurrent, tiles, ingest, ingest-delay, spark, console");
        System.exit(1);
      }
    }
  }
}
