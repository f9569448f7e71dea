package dev.quiver.offline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.EpochNanos;
import dev.quiver.offline.io.ValueText;
import dev.quiver.registry.model.ScalarType;
import dev.quiver.registry.model.ValueType;
import java.time.Instant;
import java.util.List;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.TimeStampMicroVector;
import org.apache.arrow.vector.TimeStampNanoTZVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.impl.UnionListWriter;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Types;
import org.junit.jupiter.api.Test;

class TimestampColumnsTest {

  private static final ArrowType.Timestamp NAIVE_MICROS =
      new ArrowType.Timestamp(TimeUnit.MICROSECOND, null);

  private static long nanos(String instant) {
    return EpochNanos.of(Instant.parse(instant));
  }

  @Test
  void aParquetColumnsArrowTypeHasItsUnitAndUtcOnlyWhenAdjusted() {
    assertThat(
            TimestampColumns.of(
                Types.optional(PrimitiveTypeName.INT64)
                    .as(
                        LogicalTypeAnnotation.timestampType(
                            false, LogicalTypeAnnotation.TimeUnit.MICROS))
                    .named("t")))
        .isEqualTo(NAIVE_MICROS);
    assertThat(
            TimestampColumns.of(
                Types.optional(PrimitiveTypeName.INT64)
                    .as(
                        LogicalTypeAnnotation.timestampType(
                            true, LogicalTypeAnnotation.TimeUnit.MILLIS))
                    .named("t")))
        .isEqualTo(new ArrowType.Timestamp(TimeUnit.MILLISECOND, "UTC"));
    assertThat(TimestampColumns.of(Types.optional(PrimitiveTypeName.INT96).named("t")))
        .isEqualTo(TimestampColumns.UTC_NANOS);
    assertThat(TimestampColumns.common(NAIVE_MICROS, NAIVE_MICROS)).isEqualTo(NAIVE_MICROS);
    assertThat(TimestampColumns.common(NAIVE_MICROS, TimestampColumns.UTC_NANOS))
        .isEqualTo(TimestampColumns.UTC_NANOS);
  }

  @Test
  void aRestoredColumnHoldsTheSameInstantsInItsStoredUnit() {
    try (RootAllocator allocator = new RootAllocator()) {
      TimeStampNanoTZVector read = new TimeStampNanoTZVector("t", allocator, "UTC");
      read.allocateNew(3);
      read.set(0, nanos("2026-03-02T05:00:00.000001Z"));
      read.set(2, nanos("1969-12-31T23:59:59.999999Z"));
      read.setValueCount(3);

      try (FieldVector restored = TimestampColumns.restore(read, NAIVE_MICROS)) {
        assertThat(restored.getField().getType()).isEqualTo(NAIVE_MICROS);
        TimeStampMicroVector micros = (TimeStampMicroVector) restored;
        assertThat(micros.getValueCount()).isEqualTo(3);
        assertThat(micros.get(0)).isEqualTo(nanos("2026-03-02T05:00:00.000001Z") / 1000);
        assertThat(micros.isNull(1)).isTrue();
        assertThat(micros.get(2)).isEqualTo(-1L);
        assertThat(ValueText.format(micros, 0)).isEqualTo("2026-03-02T05:00:00.000001Z");
      }
      assertThat(allocator.getAllocatedMemory()).isZero();
    }
  }

  @Test
  void aRestoredListKeepsItsRowsAndNulls() {
    try (RootAllocator allocator = new RootAllocator()) {
      ListVector read =
          (ListVector)
              ArrowTypes.field("t", ValueType.listOf(ScalarType.TIMESTAMP)).createVector(allocator);
      UnionListWriter writer = read.getWriter();
      writer.setPosition(0);
      writer.startList();
      writer.timeStampNanoTZ().writeTimeStampNanoTZ(nanos("2026-03-02T05:00:00.000002Z"));
      writer.timeStampNanoTZ().writeNull();
      writer.endList();
      writer.setPosition(2);
      writer.startList();
      writer.timeStampNanoTZ().writeTimeStampNanoTZ(nanos("2026-03-02T05:00:00Z"));
      writer.endList();
      writer.setValueCount(3);

      try (FieldVector restored = TimestampColumns.restore(read, NAIVE_MICROS)) {
        ListVector list = (ListVector) restored;
        assertThat(list.getField().getChildren().get(0).getType()).isEqualTo(NAIVE_MICROS);
        assertThat(List.of(list.isNull(0), list.isNull(1), list.isNull(2)))
            .containsExactly(false, true, false);
        assertThat(ValueText.format(list, 0)).isEqualTo("[2026-03-02T05:00:00.000002Z, null]");
        assertThat(ValueText.format(list, 2)).isEqualTo("[2026-03-02T05:00:00Z]");
      }
      assertThat(allocator.getAllocatedMemory()).isZero();
    }
  }

  @Test
  void aTimestampPastWhatNanosecondsHoldIsWrittenInItsOwnUnit() {
    try (RootAllocator allocator = new RootAllocator();
        TimeStampMicroVector micros = new TimeStampMicroVector("t", allocator)) {
      micros.allocateNew(2);
      micros.set(0, Instant.parse("9999-12-31T00:00:00Z").getEpochSecond() * 1_000_000 + 1);
      micros.set(1, -1L);
      micros.setValueCount(2);
      assertThat(ValueText.format(micros, 0)).isEqualTo("9999-12-31T00:00:00.000001Z");
      assertThat(ValueText.format(micros, 1)).isEqualTo("1969-12-31T23:59:59.999999Z");
    }
  }
}
