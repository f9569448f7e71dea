package dev.quiver.spark.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.SparkExecutorInfo;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Jobs of a driver in this JVM run on a standalone master and worker in JVMs of their own. */
@Timeout(120)
class SparkClusterTest {

  @TempDir static Path workDir;

  private static SparkCluster cluster;
  private static SparkSession spark;

  @BeforeAll
  static void startCluster() throws IOException {
    cluster = SparkCluster.start(workDir.resolve("cluster"));
    SparkSession.Builder builder =
        SparkSession.builder().appName("SparkClusterTest").master(cluster.masterUrl());
    cluster.driverConf().forEach(builder::config);
    try {
      spark = builder.getOrCreate();
    } catch (RuntimeException e) {
      // The driver's error names no cause of the executors' failure; their logs do.
      throw new IllegalStateException(
          "no Spark session on " + cluster.masterUrl() + "\n" + cluster.logTails(), e);
    }
  }

  @AfterAll
  static void stopCluster() {
    try {
      if (spark != null) {
        spark.stop();
      }
    } finally {
      if (cluster != null) {
        cluster.close();
      }
    }
  }

  @Test
  void executorsOfTheClusterRunTheJob() throws IOException {
    long sum = spark.range(0, 100_000, 1, 4).selectExpr("sum(id)").first().getLong(0);

    assertThat(sum).isEqualTo(100_000L * 99_999L / 2);
    List<String> executorHosts = new ArrayList<>();
    for (SparkExecutorInfo info : spark.sparkContext().statusTracker().getExecutorInfos()) {
      executorHosts.add(info.host() + ":" + info.port());
    }
    // The driver is listed too; at least one executor besides it ran the tasks.
    assertThat(executorHosts).as(cluster.logTails()).hasSizeGreaterThan(1);
    JsonNode master = cluster.masterState();
    List<String> activeApps = new ArrayList<>();
    master.path("activeapps").forEach(app -> activeApps.add(app.path("name").asText()));
    assertThat(activeApps).containsExactly("SparkClusterTest");
  }

  @Test
  void executorsLoadTheTestsOwnClasses() {
    // The lambda is a class of target/test-classes, which the executors must load.
    Dataset<Long> tripled =
        spark.range(0, 1_000, 1, 4).map((MapFunction<Long, Long>) x -> x * 3, Encoders.LONG());

    assertThat(tripled.selectExpr("sum(value)").first().getLong(0)).isEqualTo(3 * 499_500L);
  }

  @Test
  void parquetWrittenByExecutorsIsReadBack() {
    String path = workDir.resolve("numbers.parquet").toString();
    spark
        .range(0, 1_000, 1, 4)
        .selectExpr("id", "id * 2 AS twice")
        .write()
        .mode("overwrite")
        .parquet(path);

    Dataset<Row> back = spark.read().parquet(path);
    assertThat(back.count()).isEqualTo(1_000);
    Row totals = back.selectExpr("sum(id)", "sum(twice)").first();
    assertThat(totals.getLong(0)).isEqualTo(499_500L);
    assertThat(totals.getLong(1)).isEqualTo(999_000L);
    assertThat(back.inputFiles()).isNotEmpty();
  }
}
