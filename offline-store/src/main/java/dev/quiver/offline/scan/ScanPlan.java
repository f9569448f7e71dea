package dev.quiver.offline.scan;

import dev.quiver.offline.TimestampColumns;
import dev.quiver.offline.parquet.ColumnSpec;
import dev.quiver.offline.parquet.ParquetField;
import dev.quiver.offline.parquet.ParquetTableReader;
import dev.quiver.offline.parquet.RowGroupStatistics;
import dev.quiver.offline.parquet.RowGroupStatistics.LongRange;
import dev.quiver.registry.model.ScalarType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;

/**
 * What a scan of one source reads: its files in path order, the columns, and the row groups whose
 * timestamp statistics may hold rows in the time range asked for. Immutable: made once from the
 * files' footers (which are checked for the columns then), it can be read by any number of {@link
 * SourceScan}s; a retry reads the same plan again instead of resetting counters.
 */
public final class ScanPlan {

  /**
   * One row group to read.
   *
   * @param index the task's position in the plan
   * @param file the file's position in {@link #files()}
   * @param firstRow the row group's first row within its file
   * @param estimatedBytes its columns' size once decoded into Arrow, roughly
   */
  public record Task(
      int index, int file, int rowGroup, long firstRow, long rows, long estimatedBytes) {

    /**
     * The ordinal of the task's row {@code row}: increasing in file-path order, then row order,
     * which is the order that breaks ties in the point-in-time join.
     */
    public long ordinal(int row) {
      return ((long) file << 40) + firstRow + row;
    }
  }

  private final String what;
  private final List<Path> files;
  private final List<Integer> rowGroupsPerFile;
  private final List<ColumnSpec> columns;
  private final List<Task> tasks;
  private final long rows;
  private final long estimatedBytes;
  private final Optional<LongRange> integerRange;
  private final Map<String, ArrowType.Timestamp> storedTimestamps;

  private ScanPlan(
      String what,
      List<Path> files,
      List<Integer> rowGroupsPerFile,
      List<ColumnSpec> columns,
      List<Task> tasks,
      Optional<LongRange> integerRange,
      Map<String, ArrowType.Timestamp> storedTimestamps) {
    this.what = what;
    this.files = List.copyOf(files);
    this.rowGroupsPerFile = List.copyOf(rowGroupsPerFile);
    this.columns = List.copyOf(columns);
    this.tasks = List.copyOf(tasks);
    this.rows = tasks.stream().mapToLong(Task::rows).sum();
    this.estimatedBytes = tasks.stream().mapToLong(Task::estimatedBytes).sum();
    this.integerRange = integerRange;
    this.storedTimestamps = Map.copyOf(storedTimestamps);
  }

  /**
   * Plans reading {@code columns} of {@code files}.
   *
   * @param what names what is read in messages, e.g. {@code feature view 'v' (source 's')}
   * @param files in path order; must not be empty
   */
  public static Builder builder(String what, List<Path> files, List<ColumnSpec> columns) {
    return new Builder(what, files, columns);
  }

  /** Names what this plan reads, for messages. */
  public String what() {
    return what;
  }

  public List<Path> files() {
    return files;
  }

  /** How many row groups file {@code file} has, read or not. */
  public int rowGroups(int file) {
    return rowGroupsPerFile.get(file);
  }

  public List<ColumnSpec> columns() {
    return columns;
  }

  /** The row groups to read, in file and row order. */
  public List<Task> tasks() {
    return tasks;
  }

  /** Rows of every planned row group. */
  public long rows() {
    return rows;
  }

  /** What the planned row groups' columns take once decoded into Arrow, roughly. */
  public long estimatedBytes() {
    return estimatedBytes;
  }

  /** What the largest planned row group takes once decoded, roughly; 0 with none planned. */
  public long largestTaskBytes() {
    return tasks.stream().mapToLong(Task::estimatedBytes).max().orElse(0);
  }

  /**
   * The smallest and largest value of the column {@link Builder#integerRangeOf} named, over the
   * planned row groups, when every one of them has statistics for it.
   */
  public Optional<LongRange> integerRange() {
    return integerRange;
  }

  /**
   * How the files store the timestamp column (or list of timestamps) {@code column} (a {@link
   * ColumnSpec#name()}): its unit and zone when every file agrees, else UTC nanoseconds; empty for
   * a column that holds no timestamps.
   */
  public Optional<ArrowType.Timestamp> storedTimestamp(String column) {
    return Optional.ofNullable(storedTimestamps.get(column));
  }

  /** Builds a {@link ScanPlan} from the files' footers. */
  public static final class Builder {
    private final String what;
    private final List<Path> files;
    private final List<ColumnSpec> columns;
    private String timestampColumn;
    private long lower = Long.MIN_VALUE;
    private long upper = Long.MAX_VALUE;
    private String rangeColumn;

    private Builder(String what, List<Path> files, List<ColumnSpec> columns) {
      this.what = Objects.requireNonNull(what, "what");
      this.files = List.copyOf(files);
      this.columns = List.copyOf(columns);
      if (this.files.isEmpty()) {
        throw new IllegalArgumentException("A scan of " + what + " needs at least one file");
      }
    }

    /**
     * Skips row groups whose statistics of {@code column} prove no timestamp lies in {@code [lower,
     * upper]} (nanoseconds, both inclusive).
     */
    public Builder timeRange(String column, long lower, long upper) {
      this.timestampColumn = column;
      this.lower = lower;
      this.upper = upper;
      return this;
    }

    /** Also gathers the range of an integer column's values ({@link ScanPlan#integerRange}). */
    public Builder integerRangeOf(String column) {
      this.rangeColumn = column;
      return this;
    }

    /**
     * Reads every file's footer, checks that it holds the columns, and picks the row groups.
     *
     * @throws dev.quiver.offline.SourceDataException naming the file and each missing or
     *     incompatible column, or a file that is not Parquet
     */
    public ScanPlan build() {
      List<Task> tasks = new ArrayList<>();
      List<Integer> rowGroups = new ArrayList<>();
      Optional<LongRange> range = rangeColumn == null ? Optional.empty() : null;
      Map<String, ArrowType.Timestamp> stored = new HashMap<>();
      for (int f = 0; f < files.size(); f++) {
        try (ParquetTableReader reader = ParquetTableReader.open(files.get(f))) {
          List<ParquetField> fields = reader.resolve(columns, what);
          for (int c = 0; c < columns.size(); c++) {
            if (columns.get(c).type().element() == ScalarType.TIMESTAMP) {
              stored.merge(
                  columns.get(c).name(),
                  TimestampColumns.of(fields.get(c).leaf()),
                  TimestampColumns::common);
            }
          }
          List<BlockMetaData> groups = reader.rowGroups();
          rowGroups.add(groups.size());
          long firstRow = 0;
          for (int g = 0; g < groups.size(); g++) {
            BlockMetaData group = groups.get(g);
            if (group.getRowCount() > 0
                && (timestampColumn == null
                    || RowGroupStatistics.mayHold(group, timestampColumn, lower, upper))) {
              tasks.add(
                  new Task(
                      tasks.size(),
                      f,
                      g,
                      firstRow,
                      group.getRowCount(),
                      estimateBytes(group, columns)));
              if (rangeColumn != null) {
                Optional<LongRange> groupRange =
                    RowGroupStatistics.integerRange(group, rangeColumn);
                range =
                    range == null
                        ? groupRange
                        : range.flatMap(known -> groupRange.map(known::union));
              }
            }
            firstRow += group.getRowCount();
          }
        }
      }
      return new ScanPlan(
          what, files, rowGroups, columns, tasks, range == null ? Optional.empty() : range, stored);
    }
  }

  /**
   * Bytes a row group's requested columns take once decoded, roughly: the larger of their
   * uncompressed size and their values at fixed width (dictionary-encoded text is understated;
   * readers measure what they hold), and a byte per value for Arrow's validity buffers.
   */
  static long estimateBytes(BlockMetaData group, List<ColumnSpec> columns) {
    long bytes = 0;
    for (ColumnSpec spec : columns) {
      long width =
          switch (spec.type().element()) {
            case BOOL -> 1;
            case INT32, FLOAT32 -> 4;
            default -> 8;
          };
      long stored = 0;
      for (ColumnChunkMetaData column : group.getColumns()) {
        if (column.getPath().toArray()[0].equals(spec.sourceName())) {
          stored += column.getTotalUncompressedSize();
        }
      }
      bytes += Math.max(stored, group.getRowCount() * width) + group.getRowCount() / 8 + 1;
    }
    return bytes;
  }
}
