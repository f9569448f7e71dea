package dev.quiver.registry.load;

import dev.quiver.registry.model.SourceLocation;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;
import org.snakeyaml.engine.v2.schema.CoreSchema;

/** Builds {@link Node} trees from YAML files (keeping lines) and from plain Java data. */
public final class NodeTrees {

  private NodeTrees() {}

  /**
   * Reads one YAML document. Syntax errors and duplicate keys become problems; an empty file gives
   * an empty result.
   *
   * @param label the file as messages name it (relative to the repo root)
   */
  static Optional<Node> readYaml(Path file, String label, Problems problems) {
    LoadSettings settings =
        LoadSettings.builder().setLabel(label).setSchema(new CoreSchema()).build();
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      Iterator<org.snakeyaml.engine.v2.nodes.Node> documents =
          new Compose(settings).composeAllFromReader(reader).iterator();
      if (!documents.hasNext()) {
        return Optional.empty();
      }
      org.snakeyaml.engine.v2.nodes.Node document = documents.next();
      if (documents.hasNext()) {
        problems.add(
            SourceLocation.ofFile(label),
            "holds several YAML documents ('---'); put each in its own file");
        return Optional.empty();
      }
      return Optional.of(fromYaml(document, label, problems));
    } catch (MarkedYamlEngineException e) {
      int line = e.getProblemMark().map(m -> m.getLine() + 1).orElse(0);
      problems.add(new SourceLocation(label, line), "invalid YAML: " + e.getProblem());
      return Optional.empty();
    } catch (YamlEngineException e) {
      problems.add(SourceLocation.ofFile(label), "invalid YAML: " + e.getMessage());
      return Optional.empty();
    } catch (IOException e) {
      problems.add(SourceLocation.ofFile(label), "cannot read file: " + e.getMessage());
      return Optional.empty();
    }
  }

  private static Node fromYaml(
      org.snakeyaml.engine.v2.nodes.Node node, String label, Problems problems) {
    SourceLocation location =
        new SourceLocation(label, node.getStartMark().map(Mark::getLine).orElse(-1) + 1);
    if (node instanceof ScalarNode scalar) {
      String text = scalar.getTag().equals(Tag.NULL) ? null : scalar.getValue();
      return new Node.Scalar(text, location);
    }
    if (node instanceof SequenceNode sequence) {
      List<Node> items = new ArrayList<>();
      for (org.snakeyaml.engine.v2.nodes.Node item : sequence.getValue()) {
        items.add(fromYaml(item, label, problems));
      }
      return new Node.Sequence(items, location);
    }
    MappingNode mapping = (MappingNode) node;
    Map<String, Node.Entry> entries = new LinkedHashMap<>();
    for (NodeTuple tuple : mapping.getValue()) {
      Node key = fromYaml(tuple.getKeyNode(), label, problems);
      if (!(key instanceof Node.Scalar scalarKey) || scalarKey.isNull()) {
        problems.add(key.location(), "keys must be plain names, found " + key.shape());
        continue;
      }
      Node.Entry previous = entries.get(scalarKey.text());
      if (previous != null) {
        problems.add(
            key.location(),
            "duplicate key '"
                + scalarKey.text()
                + "' (first at line "
                + previous.keyLocation().line()
                + ")");
        continue;
      }
      entries.put(
          scalarKey.text(),
          new Node.Entry(
              scalarKey.text(), key.location(), fromYaml(tuple.getValueNode(), label, problems)));
    }
    return new Node.Mapping(entries, location);
  }

  /**
   * Converts plain data (maps, lists, strings, numbers, booleans, as JSON parsers produce them)
   * into a tree whose locations all name {@code origin}.
   */
  public static Node fromData(Object data, String origin) {
    SourceLocation location = SourceLocation.ofFile(origin);
    if (data instanceof Map<?, ?> map) {
      Map<String, Node.Entry> entries = new LinkedHashMap<>();
      map.forEach(
          (k, v) ->
              entries.put(
                  String.valueOf(k),
                  new Node.Entry(String.valueOf(k), location, fromData(v, origin))));
      return new Node.Mapping(entries, location);
    }
    if (data instanceof List<?> list) {
      return new Node.Sequence(
          list.stream().map(item -> fromData(item, origin)).toList(), location);
    }
    return new Node.Scalar(data == null ? null : String.valueOf(data), location);
  }
}
