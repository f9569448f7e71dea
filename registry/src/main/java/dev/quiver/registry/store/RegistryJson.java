package dev.quiver.registry.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import dev.quiver.registry.load.DefinitionException;
import dev.quiver.registry.load.FeatureRepo;
import dev.quiver.registry.model.CanonicalForm;
import dev.quiver.registry.model.Definitions;
import dev.quiver.registry.model.TimeInterval;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The JSON both registry stores keep: definitions in their canonical form (the keys of the
 * definition files) and history entries. Definitions read back go through the same parser and
 * checks as a repo's files.
 */
final class RegistryJson {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final ObjectWriter PRETTY =
      MAPPER.writer(
          new DefaultPrettyPrinter()
              .withObjectIndenter(new DefaultIndenter("  ", "\n"))
              .withArrayIndenter(new DefaultIndenter("  ", "\n")));
  private static final TypeReference<Map<String, Object>> OBJECT = new TypeReference<>() {};

  private RegistryJson() {}

  static String write(Object data) {
    try {
      return PRETTY.writeValueAsString(data) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot write registry JSON", e);
    }
  }

  static Map<String, Object> readObject(String json, String origin) {
    try {
      return MAPPER.readValue(json, OBJECT);
    } catch (JsonProcessingException e) {
      throw new RegistryException(
          "Cannot read the registry "
              + origin
              + ": it is not valid JSON ("
              + e.getOriginalMessage()
              + ")",
          e);
    }
  }

  static Object definitionsData(Definitions definitions) {
    return CanonicalForm.of(definitions);
  }

  static Definitions definitions(Object data, String origin) {
    try {
      return FeatureRepo.definitionsFromData(data == null ? Map.of() : data, origin);
    } catch (DefinitionException e) {
      throw new RegistryException(
          "Cannot read the registry " + origin + ": its definitions are invalid: " + e.getMessage(),
          e);
    }
  }

  static Map<String, Object> historyData(HistoryEntry entry) {
    Map<String, Object> map = entry.toMap();
    // Stored only for a rollback: an apply's entry keeps the shape it always had.
    if (entry.restoredVersion() == null) {
      map.remove("restored_version");
    }
    return map;
  }

  static HistoryEntry historyEntry(Map<?, ?> map, String origin) {
    try {
      return HistoryEntry.fromMap(map);
    } catch (RuntimeException e) {
      throw new RegistryException(
          "Cannot read the registry " + origin + ": a history entry is malformed: " + map, e);
    }
  }

  /**
   * One materialization log as stored: view to {@code {"intervals": [{"start", "end"}, ...],
   * "newest_event": ...}}, instants in ISO-8601 (start null = open, newest event null = unknown).
   */
  static Map<String, MaterializationState> states(Object data, String origin) {
    Map<String, MaterializationState> states = new TreeMap<>();
    if (data == null) {
      return states;
    }
    try {
      for (Map.Entry<?, ?> view : ((Map<?, ?>) data).entrySet()) {
        Map<?, ?> state = (Map<?, ?>) view.getValue();
        List<TimeInterval> intervals = new ArrayList<>();
        for (Object item : (List<?>) state.get("intervals")) {
          Map<?, ?> interval = (Map<?, ?>) item;
          intervals.add(
              new TimeInterval(instant(interval.get("start")), instant(interval.get("end"))));
        }
        states.put(
            String.valueOf(view.getKey()),
            new MaterializationState(intervals, instant(state.get("newest_event"))));
      }
    } catch (RuntimeException e) {
      throw new RegistryException(
          "Cannot read the registry " + origin + ": a materialization log is malformed: " + data,
          e);
    }
    return states;
  }

  private static Instant instant(Object text) {
    return text == null ? null : Instant.parse((String) text);
  }

  static Map<String, Object> statesData(Map<String, MaterializationState> states) {
    Map<String, Object> data = new TreeMap<>();
    states.forEach(
        (view, state) -> {
          List<Object> items = new ArrayList<>();
          for (TimeInterval interval : state.intervals()) {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("start", interval.start() == null ? null : interval.start().toString());
            item.put("end", interval.end().toString());
            items.add(item);
          }
          Map<String, Object> stateData = new LinkedHashMap<>();
          stateData.put("intervals", items);
          stateData.put(
              "newest_event", state.newestEvent() == null ? null : state.newestEvent().toString());
          data.put(view, stateData);
        });
    return data;
  }

  static String changesJson(List<String> changes) {
    return write(changes);
  }

  static List<String> changes(String json, String origin) {
    try {
      return MAPPER.readValue(json, new TypeReference<List<String>>() {});
    } catch (JsonProcessingException e) {
      throw new RegistryException("Cannot read the history of the registry " + origin, e);
    }
  }
}
