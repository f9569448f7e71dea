package dev.quiver.spark;

import java.util.Arrays;
import org.apache.spark.sql.Row;

/** Reading Spark rows as Quiver's codecs take values. */
final class SparkRows {

  private SparkRows() {}

  /** Whether one of the first {@code keys} columns is null. */
  static boolean hasNull(Row row, int keys) {
    for (int k = 0; k < keys; k++) {
      if (row.isNullAt(k)) {
        return true;
      }
    }
    return false;
  }

  /** Whether two rows hold the same first {@code keys} values. */
  static boolean sameKey(Row a, Row b, int keys) {
    for (int k = 0; k < keys; k++) {
      Object x = a.get(k);
      Object y = b.get(k);
      boolean same =
          x instanceof byte[] bx && y instanceof byte[] by ? Arrays.equals(bx, by) : x.equals(y);
      if (!same) {
        return false;
      }
    }
    return true;
  }

  /** A value as the codecs take it: lists as Java lists, the rest as Spark hands them. */
  static Object value(Row row, int at) {
    if (row.isNullAt(at)) {
      return null;
    }
    Object value = row.get(at);
    return value instanceof scala.collection.Seq<?> ? row.getList(at) : value;
  }
}
