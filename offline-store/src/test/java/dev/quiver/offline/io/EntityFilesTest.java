package dev.quiver.offline.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.EpochNanos;
import dev.quiver.ErrorKind;
import dev.quiver.offline.ArrowTypes;
import dev.quiver.offline.SourceDataException;
import dev.quiver.registry.InvalidRequestException;
import dev.quiver.registry.model.ScalarType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.util.Text;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An entity file is the request's: whatever is wrong with it is the caller's to fix. */
class EntityFilesTest {

  @TempDir Path dir;

  private static final Map<String, ScalarType> DRIVER_ID = Map.of("driver_id", ScalarType.INT64);

  @Test
  void aMissingFileIsTheRequestsFault() {
    Path file = dir.resolve("nothing.csv");
    try (RootAllocator allocator = new RootAllocator()) {
      assertThatThrownBy(() -> EntityFiles.read(file, DRIVER_ID, allocator))
          .isInstanceOfSatisfying(
              InvalidRequestException.class,
              e -> assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_REQUEST))
          .hasMessage("Cannot read entity rows: there is no file " + file);
    }
  }

  @Test
  void aFileOfAnotherFormatIsRefusedWithWhatToUse() throws Exception {
    Path file = Files.writeString(dir.resolve("entities.txt"), "driver_id\n1\n");
    try (RootAllocator allocator = new RootAllocator()) {
      assertThatThrownBy(() -> EntityFiles.read(file, DRIVER_ID, allocator))
          .isInstanceOf(InvalidRequestException.class)
          .hasMessage("Cannot read entity rows from " + file + ": use a .parquet or a .csv file");
    }
  }

  @Test
  void aCsvValueThatDoesNotParseNamesItsLineAndColumn() throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("entities.csv"),
            "driver_id,event_timestamp\n1001,2026-03-02T05:00:00Z\nten,2026-03-02T05:00:00Z\n");
    try (RootAllocator allocator = new RootAllocator()) {
      assertThatThrownBy(() -> EntityFiles.read(file, DRIVER_ID, allocator))
          .isInstanceOf(InvalidRequestException.class)
          .hasMessage(
              "Cannot read entity rows from "
                  + file
                  + ": line 3, column 'driver_id': 'ten' is not a valid int64")
          .hasCauseInstanceOf(NumberFormatException.class);
    }
  }

  @Test
  void aParquetFileThatIsNotParquetIsTheRequestsFaultNotTheSources() throws Exception {
    Path file = Files.writeString(dir.resolve("entities.parquet"), "driver_id\n1001\n");
    try (RootAllocator allocator = new RootAllocator()) {
      assertThatThrownBy(() -> EntityFiles.read(file, DRIVER_ID, allocator))
          .isInstanceOf(InvalidRequestException.class)
          .hasMessageStartingWith("Cannot read " + file + ": not a readable Parquet file")
          .hasCauseInstanceOf(SourceDataException.class);
    }
  }

  private static ScalarType typeOf(VectorSchemaRoot root, String column) {
    return ArrowTypes.valueType(root.getVector(column).getField()).element();
  }

  private static List<Object> values(VectorSchemaRoot root, String column) {
    FieldVector vector = root.getVector(column);
    List<Object> values = new ArrayList<>();
    for (int row = 0; row < root.getRowCount(); row++) {
      Object value = vector.getObject(row);
      values.add(value instanceof Text text ? text.toString() : value);
    }
    return values;
  }

  @Test
  void csvColumnsAreTypedByTheirValuesLikeDuckDb() throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("entities.csv"),
            """
            driver_id,event_timestamp,amount,label,trips,opened_at,note
            1001,2026-03-02T05:00:00Z,12.5,true,3,2026-03-01T10:00:00+01:00,first
            1002,2026-03-02T06:00:00Z,3,FALSE,-4,2026-03-01 10:00:00.5,second
            1003,2026-03-02T07:00:00Z,-1.5e2,false,0,2026-03-01T23:59:59.123456789Z,3
            """);
    try (RootAllocator allocator = new RootAllocator();
        VectorSchemaRoot root = EntityFiles.read(file, DRIVER_ID, allocator).root()) {
      assertThat(typeOf(root, "amount")).isEqualTo(ScalarType.FLOAT64);
      assertThat(values(root, "amount")).containsExactly(12.5, 3.0, -150.0);
      assertThat(typeOf(root, "label")).isEqualTo(ScalarType.BOOL);
      assertThat(values(root, "label")).containsExactly(true, false, false);
      assertThat(typeOf(root, "trips")).isEqualTo(ScalarType.INT64);
      assertThat(values(root, "trips")).containsExactly(3L, -4L, 0L);
      assertThat(typeOf(root, "opened_at")).isEqualTo(ScalarType.TIMESTAMP);
      TimeStampVector opened = (TimeStampVector) root.getVector("opened_at");
      assertThat(List.of(opened.get(0), opened.get(1), opened.get(2)))
          .containsExactly(
              EpochNanos.of(Instant.parse("2026-03-01T09:00:00Z")),
              // Without a zone or offset: UTC.
              EpochNanos.of(Instant.parse("2026-03-01T10:00:00.5Z")),
              EpochNanos.of(Instant.parse("2026-03-01T23:59:59.123456789Z")));
      assertThat(typeOf(root, "note")).isEqualTo(ScalarType.STRING);
      assertThat(values(root, "note")).containsExactly("first", "second", "3");
      assertThat(typeOf(root, "driver_id")).isEqualTo(ScalarType.INT64);
    }
  }

  @Test
  void aColumnWithAnyValueThatIsNotANumberStaysTextAsWritten() throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("entities.csv"),
            """
            driver_id,event_timestamp,code,big,flag,price
            1001,2026-03-02T05:00:00Z,1.50,9223372036854775808,true,1.5
            1002,2026-03-02T06:00:00Z,x7,1,1,NaN
            """);
    try (RootAllocator allocator = new RootAllocator();
        VectorSchemaRoot root = EntityFiles.read(file, DRIVER_ID, allocator).root()) {
      assertThat(typeOf(root, "code")).isEqualTo(ScalarType.STRING);
      assertThat(values(root, "code")).containsExactly("1.50", "x7");
      // Too large for int64: text, not a float64 that would lose its digits.
      assertThat(typeOf(root, "big")).isEqualTo(ScalarType.STRING);
      assertThat(values(root, "big")).containsExactly("9223372036854775808", "1");
      assertThat(typeOf(root, "flag")).isEqualTo(ScalarType.STRING);
      assertThat(typeOf(root, "price")).isEqualTo(ScalarType.STRING);
    }
  }

  @Test
  void emptyCsvCellsAreNullsAndLeaveTheTypeToTheOtherValues() throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("entities.csv"),
            """
            driver_id,event_timestamp,label,amount,nothing
            1001,2026-03-02T05:00:00Z,,,
            1002,2026-03-02T06:00:00Z,1,2.25,
            ,2026-03-02T07:00:00Z,0,,
            """);
    try (RootAllocator allocator = new RootAllocator();
        VectorSchemaRoot root = EntityFiles.read(file, DRIVER_ID, allocator).root()) {
      assertThat(typeOf(root, "label")).isEqualTo(ScalarType.INT64);
      assertThat(values(root, "label")).containsExactly(null, 1L, 0L);
      assertThat(typeOf(root, "amount")).isEqualTo(ScalarType.FLOAT64);
      assertThat(values(root, "amount")).containsExactly(null, 2.25, null);
      assertThat(typeOf(root, "nothing")).isEqualTo(ScalarType.STRING);
      assertThat(values(root, "nothing")).containsExactly(null, null, null);
      assertThat(values(root, "driver_id")).containsExactly(1001L, 1002L, null);
    }
  }

  @Test
  void aTypeGivenForACsvColumnReplacesTheInferredOne() throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("entities.csv"),
            """
            driver_id,event_timestamp,zip,score
            1001,2026-03-02T05:00:00Z,00123,1
            1002,2026-03-02T06:00:00Z,04567,2
            """);
    EntityColumns columns =
        new EntityColumns(null, Map.of("zip", ScalarType.STRING, "score", ScalarType.FLOAT32));
    try (RootAllocator allocator = new RootAllocator();
        VectorSchemaRoot inferred = EntityFiles.read(file, DRIVER_ID, allocator).root();
        VectorSchemaRoot given = EntityFiles.read(file, DRIVER_ID, columns, allocator).root()) {
      assertThat(typeOf(inferred, "score")).isEqualTo(ScalarType.INT64);
      assertThat(typeOf(given, "zip")).isEqualTo(ScalarType.STRING);
      assertThat(values(given, "zip")).containsExactly("00123", "04567");
      assertThat(typeOf(given, "score")).isEqualTo(ScalarType.FLOAT32);
      assertThat(values(given, "score")).containsExactly(1.0f, 2.0f);
    }
  }

  @Test
  void aValueThatDoesNotParseAsTheGivenTypeNamesItsLineAndColumn() throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("entities.csv"),
            "driver_id,event_timestamp,score\n1001,2026-03-02T05:00:00Z,high\n");
    EntityColumns columns = new EntityColumns(null, Map.of("score", ScalarType.FLOAT64));
    try (RootAllocator allocator = new RootAllocator()) {
      assertThatThrownBy(() -> EntityFiles.read(file, DRIVER_ID, columns, allocator))
          .isInstanceOf(InvalidRequestException.class)
          .hasMessage(
              "Cannot read entity rows from "
                  + file
                  + ": line 2, column 'score': 'high' is not a valid float64");
    }
  }

  @Test
  void aNumberWithALeadingZeroKeepsItsColumnText() throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("entities.csv"),
            """
            driver_id,event_timestamp,agent,zip,signed,small,half,negative
            1001,2026-03-02T05:00:00Z,007,00123,-01.5,0,0.5,-0.25
            1002,2026-03-02T06:00:00Z,8,4567,2.5,3,1.5,1
            """);
    try (RootAllocator allocator = new RootAllocator();
        VectorSchemaRoot root = EntityFiles.read(file, DRIVER_ID, allocator).root()) {
      assertThat(typeOf(root, "agent")).isEqualTo(ScalarType.STRING);
      assertThat(values(root, "agent")).containsExactly("007", "8");
      assertThat(typeOf(root, "zip")).isEqualTo(ScalarType.STRING);
      assertThat(values(root, "zip")).containsExactly("00123", "4567");
      assertThat(typeOf(root, "signed")).isEqualTo(ScalarType.STRING);
      assertThat(typeOf(root, "small")).isEqualTo(ScalarType.INT64);
      assertThat(values(root, "small")).containsExactly(0L, 3L);
      assertThat(typeOf(root, "half")).isEqualTo(ScalarType.FLOAT64);
      assertThat(values(root, "negative")).containsExactly(-0.25, 1.0);
    }
  }

  @Test
  void aDateTimeBeyondWhatNanosecondsHoldKeepsItsColumnText() throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("entities.csv"),
            """
            driver_id,event_timestamp,valid_until,valid_from
            1001,2026-03-02T05:00:00Z,2026-04-01T00:00:00Z,1600-01-01T00:00:00
            1002,2026-03-02T06:00:00Z,9999-12-31T00:00:00,2026-01-01T00:00:00
            """);
    try (RootAllocator allocator = new RootAllocator();
        VectorSchemaRoot root = EntityFiles.read(file, DRIVER_ID, allocator).root()) {
      assertThat(typeOf(root, "valid_until")).isEqualTo(ScalarType.STRING);
      assertThat(values(root, "valid_until"))
          .containsExactly("2026-04-01T00:00:00Z", "9999-12-31T00:00:00");
      assertThat(typeOf(root, "valid_from")).isEqualTo(ScalarType.STRING);
    }
  }

  @Test
  void aBlankCellIsNullInEveryColumnTypedOrInferred() throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("entities.csv"),
            "driver_id,event_timestamp,trips,note,score\n"
                + "1001,2026-03-02T05:00:00Z,  ,   ,\t\n"
                + "  ,2026-03-02T06:00:00Z,3, x ,1.5\n");
    EntityColumns columns = new EntityColumns(null, Map.of("score", ScalarType.FLOAT64));
    try (RootAllocator allocator = new RootAllocator();
        VectorSchemaRoot root = EntityFiles.read(file, DRIVER_ID, columns, allocator).root()) {
      assertThat(typeOf(root, "trips")).isEqualTo(ScalarType.INT64);
      assertThat(values(root, "trips")).containsExactly(null, 3L);
      assertThat(values(root, "note")).containsExactly(null, " x ");
      assertThat(values(root, "score")).containsExactly(null, 1.5);
      assertThat(values(root, "driver_id")).containsExactly(1001L, null);
    }
  }

  @Test
  void aNumberADoubleCannotHoldExactlyKeepsItsColumnText() throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("entities.csv"),
            """
            driver_id,event_timestamp,huge,word,infinite,exact,beyond,large
            1001,2026-03-02T05:00:00Z,1e999,NaN,Infinity,9007199254740992,9007199254740993,9007199254740993
            1002,2026-03-02T06:00:00Z,1.5,1.5,1.5,0.5,0.5,1
            """);
    try (RootAllocator allocator = new RootAllocator();
        VectorSchemaRoot root = EntityFiles.read(file, DRIVER_ID, allocator).root()) {
      assertThat(typeOf(root, "huge")).isEqualTo(ScalarType.STRING);
      assertThat(values(root, "huge")).containsExactly("1e999", "1.5");
      assertThat(typeOf(root, "word")).isEqualTo(ScalarType.STRING);
      assertThat(typeOf(root, "infinite")).isEqualTo(ScalarType.STRING);
      // 2^53 is exact in a double; 2^53 + 1 is not, among decimals, but is as an int64.
      assertThat(typeOf(root, "exact")).isEqualTo(ScalarType.FLOAT64);
      assertThat(values(root, "exact")).containsExactly(9007199254740992.0, 0.5);
      assertThat(typeOf(root, "beyond")).isEqualTo(ScalarType.STRING);
      assertThat(values(root, "beyond")).containsExactly("9007199254740993", "0.5");
      assertThat(typeOf(root, "large")).isEqualTo(ScalarType.INT64);
      assertThat(values(root, "large")).containsExactly(9007199254740993L, 1L);
    }
  }

  @Test
  void aTypeGivenForAColumnTheFileLacksIsRefusedWithTheColumns() throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("entities.csv"),
            "driver_id,event_timestamp,zip_code\n1001,2026-03-02T05:00:00Z,00123\n");
    EntityColumns columns = new EntityColumns(null, Map.of("zipcode", ScalarType.STRING));
    try (RootAllocator allocator = new RootAllocator()) {
      assertThatThrownBy(() -> EntityFiles.read(file, DRIVER_ID, columns, allocator))
          .isInstanceOf(InvalidRequestException.class)
          .hasMessage(
              "Cannot read entity rows from "
                  + file
                  + ": a type is given for column 'zipcode', which the file does not have"
                  + " (did you mean 'zip_code'?) (columns: driver_id, event_timestamp, zip_code)");
      assertThat(allocator.getAllocatedMemory()).isZero();
    }
  }

  @Test
  void theTypeEveryCsvColumnIsReadAsIsReportedAndUntypedColumnsMayBeText() throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("entities.csv"),
            """
            driver_id,event_timestamp,trips,amount,zip
            1001,2026-03-02T05:00:00Z,3,1.5,00123
            """);
    EntityColumns asBefore =
        new EntityColumns(null, Map.of("amount", ScalarType.FLOAT32), ScalarType.STRING);
    try (RootAllocator allocator = new RootAllocator()) {
      EntityFiles.Loaded inferred = EntityFiles.read(file, DRIVER_ID, allocator);
      inferred.root().close();
      EntityFiles.Loaded text = EntityFiles.read(file, DRIVER_ID, asBefore, allocator);
      assertThat(inferred.csvColumnTypes())
          .containsExactly(
              Map.entry("driver_id", ScalarType.INT64),
              Map.entry("event_timestamp", ScalarType.TIMESTAMP),
              Map.entry("trips", ScalarType.INT64),
              Map.entry("amount", ScalarType.FLOAT64),
              Map.entry("zip", ScalarType.STRING));
      assertThat(text.csvColumnTypes())
          .containsExactly(
              Map.entry("driver_id", ScalarType.INT64),
              Map.entry("event_timestamp", ScalarType.TIMESTAMP),
              Map.entry("trips", ScalarType.STRING),
              Map.entry("amount", ScalarType.FLOAT32),
              Map.entry("zip", ScalarType.STRING));
      try (VectorSchemaRoot root = text.root()) {
        assertThat(values(root, "trips")).containsExactly("3");
      }
    }
  }

  @Test
  void aTimeColumnValueBeyondWhatNanosecondsHoldSaysSo() throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("entities.csv"), "driver_id,event_timestamp\n1001,9999-12-31T00:00:00\n");
    try (RootAllocator allocator = new RootAllocator()) {
      assertThatThrownBy(() -> EntityFiles.read(file, DRIVER_ID, allocator))
          .isInstanceOf(InvalidRequestException.class)
          .hasMessage(
              "Cannot read entity rows from "
                  + file
                  + ": line 2, column 'event_timestamp': '9999-12-31T00:00:00' is outside the"
                  + " years 1677 to 2262 that a timestamp holds (nanoseconds since the epoch)");
    }
  }
}
