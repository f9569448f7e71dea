package dev.quiver.registry.diff;

import dev.quiver.registry.model.CanonicalForm;
import dev.quiver.registry.model.Definitions;
import dev.quiver.registry.model.KnownTime;
import dev.quiver.registry.model.ObjectKind;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Compares two sets of definitions object by object (matched by kind and name) and describes each
 * update field by field, on the canonical form so that only meaningful differences show.
 */
public final class RegistryDiff {

  private RegistryDiff() {}

  /** Every object of either side, ordered by kind, then name. */
  public static List<ObjectChange> between(Definitions before, Definitions after) {
    List<ObjectChange> changes = new ArrayList<>();
    for (ObjectKind kind : ObjectKind.values()) {
      Map<String, Map<String, Object>> old = CanonicalForm.objects(before, kind);
      Map<String, Map<String, Object>> now = CanonicalForm.objects(after, kind);
      Set<String> names = new java.util.TreeSet<>(old.keySet());
      names.addAll(now.keySet());
      for (String name : names) {
        Map<String, Object> was = old.get(name);
        Map<String, Object> is = now.get(name);
        if (was == null) {
          changes.add(new ObjectChange(kind, name, ChangeType.CREATE, List.of()));
        } else if (is == null) {
          changes.add(new ObjectChange(kind, name, ChangeType.DELETE, List.of()));
        } else if (was.equals(is)) {
          changes.add(new ObjectChange(kind, name, ChangeType.UNCHANGED, List.of()));
        } else {
          List<String> details = new ArrayList<>();
          compareMaps("", was, is, details);
          changes.add(new ObjectChange(kind, name, ChangeType.UPDATE, details));
        }
      }
    }
    return changes;
  }

  /**
   * Keys the canonical form leaves out when they hold their default (so that registries written
   * before the key existed read back unchanged), with that default, shown in a change.
   */
  private static final Map<String, Object> OMITTED_DEFAULTS =
      Map.of("known_time", KnownTime.EVENT.yaml());

  private static void compareMaps(
      String prefix, Map<?, ?> before, Map<?, ?> after, List<String> details) {
    Set<Object> keys = new LinkedHashSet<>(after.keySet());
    keys.addAll(before.keySet());
    for (Object key : keys) {
      Object fallback = prefix.isEmpty() ? OMITTED_DEFAULTS.get(key) : null;
      Object was = before.containsKey(key) ? before.get(key) : fallback;
      Object is = after.containsKey(key) ? after.get(key) : fallback;
      if (Objects.equals(was, is)) {
        continue;
      }
      String path = prefix + key;
      if (was instanceof Map<?, ?> oldMap && is instanceof Map<?, ?> newMap) {
        compareMaps(path + ".", oldMap, newMap, details);
      } else if (was instanceof List<?> oldList && is instanceof List<?> newList) {
        compareLists(path, oldList, newList, details);
      } else {
        details.add(path + " " + render(was) + " -> " + render(is));
      }
    }
  }

  private static void compareLists(
      String path, List<?> before, List<?> after, List<String> details) {
    String item = singular(path);
    // A list that was or becomes empty (an on-demand view's first request field) is compared by
    // name too, so the change reads "+ request amount", not the whole item.
    if ((before.isEmpty() || isNamedList(before)) && (after.isEmpty() || isNamedList(after))) {
      Map<Object, Map<?, ?>> old = byName(before);
      Map<Object, Map<?, ?>> now = byName(after);
      int found = details.size();
      for (Object name : now.keySet()) {
        if (!old.containsKey(name)) {
          details.add("+ " + item + " " + name);
        } else if (!old.get(name).equals(now.get(name))) {
          List<String> inner = new ArrayList<>();
          compareMaps("", old.get(name), now.get(name), inner);
          details.add(item + " " + name + ": " + String.join(", ", inner));
        }
      }
      for (Object name : old.keySet()) {
        if (!now.containsKey(name)) {
          details.add("- " + item + " " + name);
        }
      }
      if (details.size() == found) {
        details.add(path + " reordered");
      }
      return;
    }
    Set<Object> oldItems = new LinkedHashSet<>(before);
    Set<Object> newItems = new LinkedHashSet<>(after);
    if (oldItems.equals(newItems)) {
      details.add(path + " " + render(before) + " -> " + render(after));
      return;
    }
    newItems.stream()
        .filter(i -> !oldItems.contains(i))
        .forEach(i -> details.add("+ " + item + " " + i));
    oldItems.stream()
        .filter(i -> !newItems.contains(i))
        .forEach(i -> details.add("- " + item + " " + i));
  }

  private static boolean isNamedList(List<?> list) {
    return !list.isEmpty()
        && list.stream().allMatch(i -> i instanceof Map<?, ?> m && identity(m) != null);
  }

  /**
   * What identifies an item of a list across versions: its name, or for an aggregation (which has
   * none) its function and column, such as {@code sum(amount)}.
   */
  private static Object identity(Map<?, ?> item) {
    if (item.containsKey("name")) {
      return item.get("name");
    }
    if (item.containsKey("function")) {
      Object column = item.get("column");
      return item.get("function") + "(" + (column == null ? "" : column) + ")";
    }
    return null;
  }

  private static Map<Object, Map<?, ?>> byName(List<?> list) {
    Map<Object, Map<?, ?>> byName = new java.util.LinkedHashMap<>();
    for (Object item : list) {
      Map<?, ?> map = (Map<?, ?>) item;
      Object key = identity(map);
      for (int n = 2; byName.containsKey(key); n++) {
        key = identity(map) + "#" + n;
      }
      byName.put(key, map);
    }
    return byName;
  }

  private static String singular(String path) {
    if (path.endsWith("ies")) {
      return path.substring(0, path.length() - 3) + "y";
    }
    return path.endsWith("s") ? path.substring(0, path.length() - 1) : path;
  }

  static String render(Object value) {
    if (value == null) {
      return "(none)";
    }
    if (value instanceof List<?> list) {
      return list.stream().map(RegistryDiff::render).collect(Collectors.joining(", ", "[", "]"));
    }
    if (value instanceof Map<?, ?> map) {
      return map.entrySet().stream()
          .map(e -> e.getKey() + ": " + render(e.getValue()))
          .collect(Collectors.joining(", ", "{", "}"));
    }
    String text = String.valueOf(value);
    return text.isEmpty() || text.contains(" ") ? '"' + text + '"' : text;
  }
}
