package dev.quiver.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class OnlineResponseJsonTest {

  @Test
  void timesReadAsInstantToStringDoes() {
    long seed = System.nanoTime();
    Random random = new Random(seed);
    for (int i = 0; i < 10_000; i++) {
      Instant time =
          Instant.ofEpochSecond(
              random.nextLong() % 253_402_300_799L,
              random.nextInt(4) == 0 ? random.nextInt(1_000_000_000) : 0);
      assertThat(OnlineResponseJson.rfc3339(time)).as("seed %d", seed).isEqualTo(time.toString());
    }
    // Many times over a few days, as feature data has them.
    long base = 1_772_000_000L;
    for (int i = 0; i < 10_000; i++) {
      Instant time = Instant.ofEpochSecond(base + random.nextInt(3 * 86_400));
      assertThat(OnlineResponseJson.rfc3339(time)).as("seed %d", seed).isEqualTo(time.toString());
    }
    for (Instant edge :
        List.of(
            Instant.EPOCH,
            Instant.parse("9999-12-31T23:59:59Z"),
            Instant.parse("2026-03-02T05:00:00Z"))) {
      assertThat(OnlineResponseJson.rfc3339(edge)).isEqualTo(edge.toString());
    }
  }

  @Test
  void writesFeastsShapeWithPlainValues() {
    OnlineResponse response =
        new OnlineResponse(
            List.of("driver_id", "f"),
            List.of(
                new OnlineResponse.Column(
                    List.of(1001L, 1002L),
                    List.of(FeatureStatus.PRESENT, FeatureStatus.PRESENT),
                    List.of(OnlineResponse.NO_TIME, OnlineResponse.NO_TIME)),
                new OnlineResponse.Column(
                    Arrays.asList(List.of(1.5, 2), null),
                    List.of(FeatureStatus.PRESENT, FeatureStatus.NOT_FOUND),
                    List.of(Instant.parse("2026-03-02T05:00:00.5Z"), OnlineResponse.NO_TIME))));

    assertThat(OnlineResponseJson.write(response))
        .isEqualTo(
            "{\"metadata\":{\"feature_names\":[\"driver_id\",\"f\"]},\"results\":[{\"values\":[1001,1002],"
                + "\"statuses\":[\"PRESENT\",\"PRESENT\"],\"event_timestamps\":"
                + "[\"1970-01-01T00:00:00Z\",\"1970-01-01T00:00:00Z\"]},{\"values\":[[1.5,2],null],"
                + "\"statuses\":[\"PRESENT\",\"NOT_FOUND\"],\"event_timestamps\":"
                + "[\"2026-03-02T05:00:00.500Z\",\"1970-01-01T00:00:00Z\"]}]}");
  }

  @Test
  void doublesAndFloatsReadBackExactly() throws Exception {
    long seed = System.nanoTime();
    Random random = new Random(seed);
    List<Object> values = new java.util.ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      double d = Double.longBitsToDouble(random.nextLong());
      if (Double.isFinite(d)) {
        values.add(i % 3 == 0 ? random.nextDouble() * 100 : d);
      }
    }
    List<FeatureStatus> statuses =
        java.util.Collections.nCopies(values.size(), FeatureStatus.PRESENT);
    List<Instant> times = java.util.Collections.nCopies(values.size(), OnlineResponse.NO_TIME);
    OnlineResponse response =
        new OnlineResponse(
            List.of("f"), List.of(new OnlineResponse.Column(values, statuses, times)));
    var written =
        new com.fasterxml.jackson.databind.ObjectMapper()
            .readTree(OnlineResponseJson.bytes(response))
            .at("/results/0/values");
    for (int i = 0; i < values.size(); i++) {
      assertThat(written.get(i).doubleValue())
          .as("seed %d, value %d", seed, i)
          .isEqualTo(values.get(i));
    }
  }

  /**
   * Every kind of value, in responses of one and several rows and with no rows, reads back as the
   * plain tree an object mapper writes for the same content (the writer pre-encodes a result's
   * fixed parts and caches the names' part, so both must still give the same JSON).
   */
  @Test
  void readsBackAsTheSameTreeForEveryKindOfValue() throws Exception {
    com.fasterxml.jackson.databind.ObjectMapper mapper =
        new com.fasterxml.jackson.databind.ObjectMapper();
    Instant event = Instant.parse("2026-02-25T06:13:20Z");
    List<Object> values =
        Arrays.asList(
            7L,
            3,
            0.1,
            Double.NaN,
            2.5f,
            "a \"quoted\" \\ line\n\u00e9\u4e2d",
            true,
            new byte[] {0, 1, (byte) 255},
            event,
            Instant.parse("2026-02-25T06:13:20.25Z"),
            Arrays.asList(1L, null, "x", List.of(2.0)),
            null);
    for (int rows : new int[] {0, 1, 3}) {
      List<String> names = new java.util.ArrayList<>();
      List<OnlineResponse.Column> columns = new java.util.ArrayList<>();
      List<Object> expected = new java.util.ArrayList<>();
      for (int v = 0; v < values.size(); v++) {
        names.add("f" + v);
        FeatureStatus status = FeatureStatus.values()[v % FeatureStatus.values().length];
        Instant time = v % 2 == 0 ? event : OnlineResponse.NO_TIME;
        columns.add(
            new OnlineResponse.Column(
                java.util.Collections.nCopies(rows, values.get(v)),
                java.util.Collections.nCopies(rows, status),
                java.util.Collections.nCopies(rows, time)));
        Object plain =
            values.get(v) instanceof Instant instant
                ? instant.toString()
                : values.get(v) instanceof Float f ? (Object) f.doubleValue() : values.get(v);
        java.util.Map<String, Object> column = new java.util.LinkedHashMap<>();
        column.put("values", java.util.Collections.nCopies(rows, plain));
        column.put("statuses", java.util.Collections.nCopies(rows, status.name()));
        column.put("event_timestamps", java.util.Collections.nCopies(rows, time.toString()));
        expected.add(column);
      }
      OnlineResponse response = new OnlineResponse(names, columns);
      java.util.Map<String, Object> body = new java.util.LinkedHashMap<>();
      body.put("metadata", java.util.Map.of("feature_names", names));
      body.put("results", expected);
      // Twice: the second answer comes with the names' part cached.
      for (int pass = 0; pass < 2; pass++) {
        assertThat(mapper.readTree(OnlineResponseJson.bytes(response)))
            .as("%d rows, pass %d", rows, pass)
            .isEqualTo(mapper.readTree(mapper.writeValueAsBytes(body)));
      }
    }
  }
}
