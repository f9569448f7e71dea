package dev.quiver.online;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.registry.model.Feature;
import dev.quiver.registry.model.ScalarType;
import dev.quiver.registry.model.ValueType;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Pins the bytes of both online formats: rows written by one version must read the same in the
 * next. If an encoding must change, bump its format byte and keep reading the old one.
 */
class CodecGoldenBytesTest {

  private static final HexFormat HEX = HexFormat.of();

  @Test
  void entityKeysSortJoinKeysByNameAndTagEachValue() {
    Map<String, Object> values = new LinkedHashMap<>();
    values.put("driver_id", 1001L);
    values.put("customer_id", "c7");
    byte[] encoded =
        EntityKeyCodec.encode(
            values, Map.of("driver_id", ScalarType.INT64, "customer_id", ScalarType.STRING));

    assertThat(HEX.formatHex(encoded))
        .isEqualTo(
            "0102"
                + "000b"
                + HEX.formatHex("customer_id".getBytes())
                + "06"
                + "00000002"
                + "6337"
                + "0009"
                + HEX.formatHex("driver_id".getBytes())
                + "03"
                + "00000000000003e9");
  }

  @Test
  void aSingleIntegerKeyHasTheSameBytesAsEveryOtherKey() {
    assertThat(
            HEX.formatHex(
                EntityKeyCodec.encode(
                    Map.of("driver_id", 1001L), Map.of("driver_id", ScalarType.INT64))))
        .isEqualTo(
            "0101" + "0009" + HEX.formatHex("driver_id".getBytes()) + "03" + "00000000000003e9");
    assertThat(
            HEX.formatHex(
                EntityKeyCodec.encode(Map.of("zone", 7), Map.of("zone", ScalarType.INT32))))
        .isEqualTo("0101" + "0004" + HEX.formatHex("zone".getBytes()) + "02" + "00000007");
  }

  @Test
  void rowsCarryTheirTimesAtFixedOffsetsAndValuesUnderNameHashes() {
    List<Feature> features =
        List.of(
            Feature.of("rate", ValueType.scalar(ScalarType.FLOAT32)),
            Feature.of("seen", ValueType.scalar(ScalarType.TIMESTAMP)),
            Feature.of("tags", ValueType.listOf(ScalarType.INT32)),
            Feature.of("note", ValueType.scalar(ScalarType.STRING)));
    Map<String, Object> values = new LinkedHashMap<>();
    values.put("rate", 0.5f);
    values.put("seen", Instant.parse("2026-03-02T05:00:00.000000001Z"));
    values.put("tags", Arrays.asList(7, null));
    values.put("note", null);
    byte[] encoded = ValueCodec.encode(new OnlineRow(5, OnlineRow.NO_CREATED, values), features);

    assertThat(HEX.formatHex(encoded))
        .isEqualTo(
            "01"
                + "0000000000000005"
                + "8000000000000000"
                + "0004"
                + hash("rate")
                + "04"
                + "3f000000"
                + hash("seen")
                + "08"
                + "1898ed82f0192001"
                + hash("tags")
                + "82"
                + "00000002"
                + "01"
                + "00000007"
                + "00"
                + hash("note")
                + "00");
    ValueCodec.Decoded decoded = ValueCodec.decode(encoded);
    assertThat(decoded.eventTs()).isEqualTo(5);
    assertThat(decoded.createdTs()).isEqualTo(OnlineRow.NO_CREATED);
    assertThat(decoded.value(features.get(0))).contains(java.util.Optional.of(0.5f));
    assertThat(decoded.value(features.get(2)))
        .contains(java.util.Optional.of(Arrays.asList(7, null)));
    assertThat(decoded.value(features.get(3))).contains(java.util.Optional.empty());
  }

  @Test
  void aFeatureAddedOrRetypedAfterARowWasWrittenReadsAsAbsent() {
    List<Feature> before = List.of(Feature.of("trips", ValueType.scalar(ScalarType.INT32)));
    byte[] encoded = ValueCodec.encode(new OnlineRow(1, 1, Map.of("trips", 3)), before);

    ValueCodec.Decoded decoded = ValueCodec.decode(encoded);
    assertThat(decoded.value(Feature.of("trips", ValueType.scalar(ScalarType.INT32))))
        .contains(java.util.Optional.of(3));
    assertThat(decoded.value(Feature.of("trips", ValueType.scalar(ScalarType.INT64)))).isEmpty();
    assertThat(decoded.value(Feature.of("rating", ValueType.scalar(ScalarType.INT32)))).isEmpty();
  }

  private static String hash(String name) {
    return String.format("%08x", ValueCodec.nameHash(name));
  }
}
