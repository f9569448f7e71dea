package dev.quiver.spark;

import dev.quiver.offline.SourceDataException;
import dev.quiver.registry.model.ScalarType;
import dev.quiver.registry.model.ValueType;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.TimestampNTZType;
import org.apache.spark.sql.types.TimestampType;

/**
 * Quiver's types as Spark's. Timestamps: Spark's own are microseconds, so the engine reads Parquet
 * nanosecond timestamps as longs ({@code spark.sql.legacy.parquet.nanosAsLong}) and compares every
 * event and entity time as nanoseconds since the epoch; timestamp values a training set carries are
 * written at Spark's microsecond precision.
 */
final class SparkTypes {

  private SparkTypes() {}

  static DataType of(ValueType type) {
    DataType element = of(type.element());
    return type.list() ? DataTypes.createArrayType(element, true) : element;
  }

  static DataType of(ScalarType type) {
    return switch (type) {
      case BOOL -> DataTypes.BooleanType;
      case INT32 -> DataTypes.IntegerType;
      case INT64 -> DataTypes.LongType;
      case FLOAT32 -> DataTypes.FloatType;
      case FLOAT64 -> DataTypes.DoubleType;
      case STRING -> DataTypes.StringType;
      case BYTES -> DataTypes.BinaryType;
      case TIMESTAMP -> DataTypes.TimestampType;
    };
  }

  /**
   * A time column as nanoseconds since the epoch (UTC): Spark timestamps (with or without a zone,
   * the latter taken as UTC) and the longs nanosecond timestamps are read as.
   *
   * @param what names the column in the error, e.g. {@code column 'ts' of source 's'}
   */
  static Column nanos(Column column, DataType type, String what) {
    if (type instanceof LongType) {
      return column;
    }
    if (type instanceof TimestampNTZType) {
      return functions.unix_micros(column.cast(DataTypes.TimestampType)).multiply(1000L);
    }
    if (type instanceof TimestampType) {
      return functions.unix_micros(column).multiply(1000L);
    }
    throw new SourceDataException(
        "Cannot read " + what + " as a timestamp: it is " + type.simpleString());
  }

  /** A column converted to {@code type}: a cast, except for nanosecond timestamps read as longs. */
  static Column as(Column column, DataType actual, ValueType type) {
    if (!type.list() && type.element() == ScalarType.TIMESTAMP && actual instanceof LongType) {
      // Nanoseconds, floored to Spark's microseconds (integer division: a double would round).
      Column floored = column.minus(functions.pmod(column, functions.lit(1000L)));
      return functions.timestamp_micros(
          functions.call_function("div", floored, functions.lit(1000L)));
    }
    return column.cast(of(type));
  }
}
