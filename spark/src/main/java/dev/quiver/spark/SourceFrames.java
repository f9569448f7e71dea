package dev.quiver.spark;

import dev.quiver.offline.SourceDataException;
import dev.quiver.offline.parquet.ColumnSpec;
import dev.quiver.offline.parquet.SourceFiles;
import dev.quiver.offline.scan.ViewColumns;
import dev.quiver.registry.model.FeatureView;
import dev.quiver.registry.model.ParquetSource;
import java.io.IOException;
import java.io.Serializable;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.LocalInputFile;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;

/**
 * Reads Parquet files with Spark into frames the engine's jobs share: internal columns for the
 * event time in nanoseconds ({@link #TS}), the created time ({@link #CREATED}) and each row's place
 * in file-path then row order ({@link #FILE}, {@link #ROW}, the tie-break of DESIGN.md), then the
 * requested columns under their Quiver names, converted to their declared types.
 */
final class SourceFrames {

  static final String TS = "__quiver_ts";
  static final String CREATED = "__quiver_created";
  static final String FILE = "__quiver_file";
  static final String ROW = "__quiver_row";

  private static final Pattern URI_SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*://.*");

  private SourceFrames() {}

  /** Whether a path names a location for Spark's file systems ({@code hdfs://}, {@code s3a://}). */
  static boolean isUri(String path) {
    return URI_SCHEME.matcher(path).matches();
  }

  /**
   * A source's rows with {@code tsFrom <= ts <= tsTo}, and those with a null event time (for the
   * caller to count and skip): the time bounds are pushed down to Parquet's row-group statistics.
   *
   * @param specs the columns to read (keys, timestamps, values) as {@code ViewColumns} lists them;
   *     the event and created times come out as {@link #TS} and {@link #CREATED} nanoseconds
   */
  static Dataset<Row> read(
      SparkSession spark,
      FeatureView view,
      ParquetSource source,
      List<ColumnSpec> specs,
      Path repoRoot,
      long tsFrom,
      long tsTo) {
    Dataset<Row> all = null;
    for (Located located : locate(spark, view, source, repoRoot)) {
      Dataset<Row> part = normalized(located, view, source, specs, tsFrom, tsTo);
      all = all == null ? part : all.union(part);
    }
    return all;
  }

  private static Dataset<Row> normalized(
      Located located,
      FeatureView view,
      ParquetSource source,
      List<ColumnSpec> specs,
      long tsFrom,
      long tsTo) {
    Dataset<Row> raw = located.frame();
    Map<String, DataType> types = new HashMap<>();
    for (StructField field : raw.schema().fields()) {
      types.put(field.name(), field.dataType());
    }
    String what = "feature view '" + view.name() + "' (source '" + source.name() + "')";
    // The time bounds on the stored column itself, in its unit, so that Parquet's row-group
    // statistics prune; the exact bounds (in nanoseconds) hold after the conversion below.
    DataType tsType = types.get(source.timestampField());
    if (tsType != null) {
      Column stored = raw.col(quote(source.timestampField()));
      raw = raw.where(stored.isNull().or(storedBounds(stored, tsType, tsFrom, tsTo)));
    }
    List<Column> columns = new ArrayList<>();
    for (ColumnSpec spec : specs) {
      DataType type = types.get(spec.sourceName());
      if (type == null) {
        throw new SourceDataException(
            "Cannot read "
                + what
                + ": its files have no column '"
                + spec.sourceName()
                + "' (columns: "
                + String.join(", ", Arrays.asList(raw.columns()))
                + ")");
      }
      Column column = raw.col(quote(spec.sourceName()));
      if (spec.name().equals(ViewColumns.EVENT_TS)) {
        columns.add(
            SparkTypes.nanos(column, type, "column '" + spec.sourceName() + "' of " + what).as(TS));
      } else if (spec.name().equals(ViewColumns.CREATED_TS)) {
        columns.add(
            SparkTypes.nanos(column, type, "column '" + spec.sourceName() + "' of " + what)
                .as(CREATED));
      } else {
        columns.add(SparkTypes.as(column, type, spec.type()).as(spec.name()));
      }
    }
    columns.add(located.fileOrdinal().as(FILE));
    columns.add(raw.col("_metadata.row_index").as(ROW));
    return raw.select(columns.toArray(Column[]::new))
        .where(functions.col(TS).isNull().or(functions.col(TS).between(tsFrom, tsTo)));
  }

  /**
   * {@code from <= ts <= to} (nanoseconds) on a stored time column, as loose as its unit needs: a
   * microsecond timestamp between the microseconds around the bounds, a nanosecond one (a long)
   * exactly; true for other types (the exact filter still applies).
   */
  private static Column storedBounds(Column stored, DataType type, long from, long to) {
    Column bounds = functions.lit(true);
    if (type instanceof org.apache.spark.sql.types.LongType) {
      if (from != Long.MIN_VALUE) {
        bounds = bounds.and(stored.geq(from));
      }
      if (to != Long.MAX_VALUE) {
        bounds = bounds.and(stored.leq(to));
      }
    } else if (type instanceof org.apache.spark.sql.types.TimestampType) {
      if (from != Long.MIN_VALUE) {
        bounds = bounds.and(stored.geq(functions.lit(microsInstant(Math.floorDiv(from, 1000L)))));
      }
      if (to != Long.MAX_VALUE) {
        bounds = bounds.and(stored.leq(functions.lit(microsInstant(-Math.floorDiv(-to, 1000L)))));
      }
    }
    return bounds;
  }

  private static java.time.Instant microsInstant(long micros) {
    return java.time.Instant.ofEpochSecond(
        Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000L);
  }

  /** A frame over Parquet files and, per row, its file's rank in path order. */
  record Located(Dataset<Row> frame, Column fileOrdinal) {}

  /**
   * Frames over a source's files, one per Parquet schema among them (Spark reads a frame with one
   * schema, and files may store times in different units), each row's file ranked in path order
   * across all of them.
   */
  static List<Located> locate(
      SparkSession spark, FeatureView view, ParquetSource source, Path root) {
    if (isUri(source.path())) {
      return List.of(locate(spark, List.of(source.path())));
    }
    List<Path> files = SourceFiles.resolve(root, source.path());
    if (files.isEmpty()) {
      throw new SourceDataException(
          "Cannot read feature view '"
              + view.name()
              + "': the path '"
              + source.path()
              + "' of source '"
              + source.name()
              + "' matches no Parquet file");
    }
    HashMap<String, Integer> ranks = new HashMap<>();
    Map<String, List<String>> bySchema = new LinkedHashMap<>();
    for (int i = 0; i < files.size(); i++) {
      Path file = files.get(i);
      ranks.put(file.toAbsolutePath().normalize().toString(), i);
      bySchema.computeIfAbsent(schemaOf(file), k -> new ArrayList<>()).add(file.toUri().toString());
    }
    List<Located> located = new ArrayList<>();
    for (List<String> group : bySchema.values()) {
      Dataset<Row> frame = spark.read().parquet(group.toArray(String[]::new));
      located.add(new Located(frame, rank(frame, ranks)));
    }
    return located;
  }

  private static String schemaOf(Path file) {
    try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(file))) {
      return reader.getFooter().getFileMetaData().getSchema().toString();
    } catch (IOException | RuntimeException e) {
      throw new SourceDataException(
          "Cannot read the Parquet footer of " + file + ": " + e.getMessage(), e);
    }
  }

  /** A frame over Parquet files (or folders Spark lists), each row's file ranked in path order. */
  static Located locate(SparkSession spark, List<String> paths) {
    Dataset<Row> frame = spark.read().parquet(paths.toArray(String[]::new));
    List<String> files = new ArrayList<>();
    for (String file : frame.inputFiles()) {
      files.add(normalized(file));
    }
    files.sort(null);
    HashMap<String, Integer> ranks = new HashMap<>();
    for (int i = 0; i < files.size(); i++) {
      ranks.put(files.get(i), i);
    }
    return new Located(frame, rank(frame, ranks));
  }

  private static Column rank(Dataset<Row> frame, HashMap<String, Integer> ranks) {
    UserDefinedFunction rank =
        // Deterministic (a file's rank is fixed), so that filters move below it to the scan.
        functions.udf(new FileRank(ranks), DataTypes.IntegerType);
    return rank.apply(frame.col("_metadata.file_path"));
  }

  /**
   * The top-level columns the files store as nanosecond timestamps, which this engine's session
   * reads as longs ({@code nanosAsLong}): the first file's footer, read through Hadoop's file
   * systems, names them.
   */
  static java.util.Set<String> nanosecondColumns(SparkSession spark, List<String> files) {
    java.util.Set<String> columns = new java.util.LinkedHashSet<>();
    if (files.isEmpty()) {
      return columns;
    }
    org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(URI.create(files.get(0)));
    try (ParquetFileReader reader =
        ParquetFileReader.open(
            org.apache.parquet.hadoop.util.HadoopInputFile.fromPath(
                path, spark.sparkContext().hadoopConfiguration()))) {
      for (org.apache.parquet.schema.Type field :
          reader.getFooter().getFileMetaData().getSchema().getFields()) {
        if (field.isPrimitive()
            && field.getLogicalTypeAnnotation()
                instanceof
                org.apache.parquet.schema.LogicalTypeAnnotation.TimestampLogicalTypeAnnotation
                    timestamp
            && timestamp.getUnit()
                == org.apache.parquet.schema.LogicalTypeAnnotation.TimeUnit.NANOS) {
          columns.add(field.getName());
        }
      }
    } catch (IOException | RuntimeException e) {
      throw new SourceDataException(
          "Cannot read the Parquet footer of " + path + ": " + e.getMessage(), e);
    }
    return columns;
  }

  /** A file's path without its scheme's spelling: URI-decoded, as local paths sort. */
  static String normalized(String file) {
    URI uri = URI.create(file);
    String scheme = uri.getScheme();
    if (scheme == null || scheme.equals("file")) {
      return uri.getPath();
    }
    return scheme + "://" + (uri.getAuthority() == null ? "" : uri.getAuthority()) + uri.getPath();
  }

  /** Spark's column references take dots and backticks as syntax: quote the name. */
  static String quote(String name) {
    return "`" + name.replace("`", "``") + "`";
  }

  /** A row's file rank, remembered for the file last asked for (rows come file by file). */
  private static final class FileRank implements UDF1<String, Integer>, Serializable {
    private static final long serialVersionUID = 1L;
    private final HashMap<String, Integer> ranks;
    private transient String lastFile;
    private transient Integer lastRank;

    FileRank(HashMap<String, Integer> ranks) {
      this.ranks = ranks;
    }

    @Override
    public Integer call(String file) {
      if (!file.equals(lastFile)) {
        Integer rank = ranks.get(normalized(file));
        if (rank == null) {
          throw new IllegalStateException("Spark read a file it did not list: " + file);
        }
        lastFile = file;
        lastRank = rank;
      }
      return lastRank;
    }
  }
}
