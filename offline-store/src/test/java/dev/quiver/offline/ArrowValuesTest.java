package dev.quiver.offline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.registry.model.ScalarType;
import dev.quiver.registry.model.ValueType;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampSecVector;
import org.apache.arrow.vector.VarCharVector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ArrowValuesTest {

  private final BufferAllocator allocator = new RootAllocator();

  @AfterEach
  void close() {
    allocator.close();
  }

  private static ValueType scalar(ScalarType type) {
    return ValueType.scalar(type);
  }

  @Test
  void integersAndFloat32WidenExactly() {
    try (IntVector ints = new IntVector("i", allocator);
        Float4Vector floats = new Float4Vector("f", allocator)) {
      ints.allocateNew(2);
      ints.set(0, -7);
      ints.setNull(1);
      ints.setValueCount(2);
      floats.allocateNew(1);
      floats.set(0, 0.1f);
      floats.setValueCount(1);
      assertThat(ArrowValues.reader(ints, scalar(ScalarType.INT32)).read(0)).isEqualTo(-7);
      assertThat(ArrowValues.reader(ints, scalar(ScalarType.INT64)).read(0)).isEqualTo(-7L);
      assertThat(ArrowValues.reader(ints, scalar(ScalarType.FLOAT64)).read(0)).isEqualTo(-7.0);
      assertThat(ArrowValues.reader(ints, scalar(ScalarType.INT64)).read(1)).isNull();
      assertThat(ArrowValues.reader(floats, scalar(ScalarType.FLOAT32)).read(0)).isEqualTo(0.1f);
      assertThat(ArrowValues.reader(floats, scalar(ScalarType.FLOAT64)).read(0))
          .isEqualTo(0.10000000149011612);
    }
  }

  @Test
  void int64IsReadNarrowerOnlyWhenTheValueFits() {
    try (BigIntVector longs = new BigIntVector("l", allocator)) {
      longs.allocateNew(3);
      longs.set(0, 5);
      longs.set(1, 1L << 40);
      longs.set(2, (1L << 53) + 1);
      longs.setValueCount(3);
      ArrowValues.Reader asInt32 = ArrowValues.reader(longs, scalar(ScalarType.INT32));
      assertThat(asInt32.read(0)).isEqualTo(5);
      assertThatThrownBy(() -> asInt32.read(1))
          .isInstanceOf(ArrowValues.UnreadableValueException.class)
          .hasMessage("row 2 holds 1099511627776, which does not fit int32");
      ArrowValues.Reader asFloat64 = ArrowValues.reader(longs, scalar(ScalarType.FLOAT64));
      assertThat(asFloat64.read(1)).isEqualTo((double) (1L << 40));
      assertThatThrownBy(() -> asFloat64.read(2))
          .isInstanceOf(ArrowValues.UnreadableValueException.class)
          .hasMessage("row 3 holds 9007199254740993, which a float64 cannot hold exactly");
    }
  }

  @Test
  void timestampsOfAnyUnitAreExactInstants() {
    try (TimeStampSecVector seconds = new TimeStampSecVector("t", allocator)) {
      seconds.allocateNew(1);
      // Past 2262, which nanoseconds in a long do not reach.
      seconds.set(0, Instant.parse("3000-01-01T00:00:00Z").getEpochSecond());
      seconds.setValueCount(1);
      assertThat(ArrowValues.reader(seconds, scalar(ScalarType.TIMESTAMP)).read(0))
          .isEqualTo(Instant.parse("3000-01-01T00:00:00Z"));
    }
  }

  @Test
  void listsAreReadAsListsAndWrittenBack() {
    ValueType type = ValueType.listOf(ScalarType.STRING);
    try (FieldVector list = ArrowTypes.field("l", type).createVector(allocator)) {
      list.allocateNew();
      ArrowValues.write(list, type, 0, Arrays.asList("a", null, "c"));
      ArrowValues.write(list, type, 1, null);
      ArrowValues.write(list, type, 2, List.of());
      list.setValueCount(3);
      ArrowValues.Reader reader = ArrowValues.reader(list, type);
      assertThat(reader.read(0)).isEqualTo(Arrays.asList("a", null, "c"));
      assertThat(reader.read(1)).isNull();
      assertThat(reader.read(2)).isEqualTo(List.of());
    }
  }

  @Test
  void otherTypesAreNotReadable() {
    try (VarCharVector strings = new VarCharVector("s", allocator);
        Float4Vector floats = new Float4Vector("f", allocator)) {
      assertThat(ArrowValues.readable(strings, scalar(ScalarType.FLOAT64))).isFalse();
      assertThat(ArrowValues.readable(floats, scalar(ScalarType.INT64))).isFalse();
      assertThat(ArrowValues.readable(floats, ValueType.listOf(ScalarType.FLOAT32))).isFalse();
      assertThatThrownBy(() -> ArrowValues.reader(strings, scalar(ScalarType.FLOAT64)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("Cannot read s: Utf8 as float64");
    }
  }
}
