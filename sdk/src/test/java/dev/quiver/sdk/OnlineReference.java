package dev.quiver.sdk;

import dev.quiver.EpochNanos;
import dev.quiver.offline.TimestampColumns;
import dev.quiver.offline.io.EntityFiles;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.TimeStampNanoTZVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.util.Text;

/**
 * The brute-force answer for online rows: read the whole Parquet file and keep, per key, the latest
 * row in the window by (event time, created time with null first, row order).
 */
final class OnlineReference {

  /** A winning source row: its event time and its values by column. */
  record Winner(Instant eventTime, Map<String, Object> values) {}

  private OnlineReference() {}

  static Map<Object, Winner> winners(
      Path file,
      String keyColumn,
      String tsColumn,
      String createdColumn,
      Instant start,
      Instant end,
      List<String> features) {
    long from = EpochNanos.of(start);
    long to = EpochNanos.of(end);
    Map<Object, long[]> best = new HashMap<>();
    Map<Object, Winner> winners = new HashMap<>();
    try (RootAllocator allocator = new RootAllocator();
        VectorSchemaRoot table = EntityFiles.read(file, Map.of(), allocator).root();
        // The file's timestamps keep their unit: compared here as UTC nanoseconds.
        TimeStampNanoTZVector ts =
            TimestampColumns.utcNanos((TimeStampVector) table.getVector(tsColumn));
        TimeStampNanoTZVector created =
            createdColumn == null
                ? null
                : TimestampColumns.utcNanos((TimeStampVector) table.getVector(createdColumn))) {
      FieldVector keys = table.getVector(keyColumn);
      for (int row = 0; row < table.getRowCount(); row++) {
        if (ts.isNull(row) || keys.isNull(row)) {
          continue;
        }
        long at = ts.get(row);
        if (at < from || at > to) {
          continue;
        }
        long made = created == null || created.isNull(row) ? Long.MIN_VALUE : created.get(row);
        Object key = keys.getObject(row);
        long[] current = best.get(key);
        boolean wins =
            current == null
                || at > current[0]
                || at == current[0]
                    && (made > current[1] || made == current[1] && row > current[2]);
        if (wins) {
          best.put(key, new long[] {at, made, row});
          Map<String, Object> values = new HashMap<>();
          for (String feature : features) {
            Object value = table.getVector(feature).getObject(row);
            values.put(feature, value instanceof Text text ? text.toString() : value);
          }
          winners.put(key, new Winner(EpochNanos.toInstant(at), values));
        }
      }
    }
    return winners;
  }
}
