package dev.quiver.registry.load;

import dev.quiver.registry.model.SourceLocation;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.api.lowlevel.Parse;
import org.snakeyaml.engine.v2.common.Anchor;
import org.snakeyaml.engine.v2.events.AliasEvent;
import org.snakeyaml.engine.v2.events.CollectionEndEvent;
import org.snakeyaml.engine.v2.events.CollectionStartEvent;
import org.snakeyaml.engine.v2.events.Event;
import org.snakeyaml.engine.v2.events.ScalarEvent;
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
   * The largest YAML file a repo may hold. Definition files are a few kilobytes; the YAML scanner
   * takes seconds per megabyte on a long line, so a larger file is refused by its size before a
   * byte of it is read.
   */
  static final long MAX_FILE_BYTES = 1024 * 1024;

  /**
   * The most nodes aliases may add to a file's tree: each alias repeats every node of what its
   * anchor names. Aliases of anchors that hold aliases multiply ({@code &b [*a, *a, *a]}, then
   * {@code &c [*b, *b, *b]}...), so a few hundred bytes would expand to billions of nodes; real
   * definitions repeat a tag mapping or a list of a few entities. The nodes written out are bounded
   * by {@link #MAX_FILE_BYTES} instead.
   */
  static final long MAX_ALIAS_NODES = 100_000;

  /** The deepest nesting read: definitions need five levels, the composer recurses per level. */
  static final int MAX_DEPTH = 100;

  /**
   * One YAML file as read: its document (empty for an empty file or one that could not be read),
   * and whether it could not be read, with its text when that much was read.
   */
  record YamlFile(Optional<Node> document, boolean unreadable, Optional<String> text) {

    static YamlFile unreadable(Optional<String> text) {
      return new YamlFile(Optional.empty(), true, text);
    }
  }

  /**
   * Reads one YAML document. A file that is not a regular file, a file over {@link
   * #MAX_FILE_BYTES}, syntax errors, nesting deeper than {@link #MAX_DEPTH}, an alias inside what
   * it names, aliases adding more than {@link #MAX_ALIAS_NODES} nodes, several documents and
   * duplicate keys become problems; an empty file gives an empty document.
   *
   * @param label the file as messages name it (relative to the repo root)
   */
  static YamlFile readYaml(Path file, String label, Problems problems) {
    String text;
    try {
      // A FIFO or a link to a device (/dev/zero) would be read without end: refused unopened.
      if (!Files.isRegularFile(file)) {
        problems.add(
            SourceLocation.ofFile(label),
            "is not a regular file (a device, pipe or socket, or a link to one); a definition"
                + " file must be a plain file");
        return YamlFile.unreadable(Optional.empty());
      }
      long size = Files.size(file);
      if (size > MAX_FILE_BYTES) {
        problems.add(SourceLocation.ofFile(label), tooLarge("is " + megabytes(size)));
        return YamlFile.unreadable(Optional.empty());
      }
      byte[] bytes;
      // The size may have grown since it was asked, so the read itself stops past the limit.
      try (InputStream in = Files.newInputStream(file)) {
        bytes = in.readNBytes(Math.toIntExact(MAX_FILE_BYTES) + 1);
      }
      if (bytes.length > MAX_FILE_BYTES) {
        problems.add(SourceLocation.ofFile(label), tooLarge("has grown while read"));
        return YamlFile.unreadable(Optional.empty());
      }
      text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
    } catch (IOException e) {
      problems.add(SourceLocation.ofFile(label), "cannot read file: " + e.getMessage());
      return YamlFile.unreadable(Optional.empty());
    }
    LoadSettings settings =
        LoadSettings.builder().setLabel(label).setSchema(new CoreSchema()).build();
    try {
      if (!safeToCompose(settings, text, label, problems)) {
        return YamlFile.unreadable(Optional.of(text));
      }
      Iterator<org.snakeyaml.engine.v2.nodes.Node> documents =
          new Compose(settings).composeAllFromString(text).iterator();
      if (!documents.hasNext()) {
        return new YamlFile(Optional.empty(), false, Optional.of(text));
      }
      org.snakeyaml.engine.v2.nodes.Node document = documents.next();
      if (documents.hasNext()) {
        problems.add(
            SourceLocation.ofFile(label),
            "holds several YAML documents ('---'); put each in its own file");
        return YamlFile.unreadable(Optional.of(text));
      }
      Node read = fromYaml(document, label, problems);
      return new YamlFile(Optional.of(read), false, Optional.of(text));
    } catch (MarkedYamlEngineException e) {
      YamlSyntax.Explanation explanation = YamlSyntax.explain(e, text);
      problems.add(
          new SourceLocation(label, explanation.line()), "invalid YAML: " + explanation.message());
      return YamlFile.unreadable(Optional.of(text));
    } catch (YamlEngineException e) {
      problems.add(SourceLocation.ofFile(label), "invalid YAML: " + e.getMessage());
      return YamlFile.unreadable(Optional.of(text));
    }
  }

  private static String tooLarge(String size) {
    return size
        + ", more than the "
        + megabytes(MAX_FILE_BYTES)
        + " a YAML file of a feature repo may have; split it into several files";
  }

  private static String megabytes(long bytes) {
    return String.format(Locale.ROOT, "%.1f MB", bytes / (1024.0 * 1024.0));
  }

  /**
   * Walks the file's events, which the parser produces without recursion, to refuse what would
   * overflow the stack of the composer (nesting) or of the conversion to nodes (an alias inside the
   * collection its anchor names, which makes the tree infinite), or exhaust memory in the
   * conversion (aliases adding more than {@link #MAX_ALIAS_NODES} nodes), before either runs.
   *
   * @return false when it reported a problem
   */
  private static boolean safeToCompose(
      LoadSettings settings, String text, String label, Problems problems) {
    // Per open collection: its anchor, and how many nodes it expands to so far (itself included).
    Deque<OpenCollection> open = new ArrayDeque<>();
    // An anchor may be defined again; an alias names its latest definition, recursive only
    // while that definition is a collection still open.
    Map<Anchor, Integer> openAnchorDepth = new HashMap<>();
    Map<Anchor, Long> anchorNodes = new HashMap<>();
    long aliasNodes = 0;
    for (Event event : new Parse(settings).parseString(text)) {
      if (event instanceof CollectionStartEvent start) {
        if (open.size() == MAX_DEPTH) {
          problems.add(
              at(label, event),
              "lists and mappings are nested more than "
                  + MAX_DEPTH
                  + " levels deep here; definitions need a handful");
          return false;
        }
        open.push(new OpenCollection(start.getAnchor()));
        start.getAnchor().ifPresent(anchor -> openAnchorDepth.put(anchor, open.size()));
      } else if (event instanceof CollectionEndEvent) {
        int depth = open.size();
        OpenCollection closed = open.pop();
        closed.anchor().ifPresent(anchor -> openAnchorDepth.remove(anchor, depth));
        closed.anchor().ifPresent(anchor -> anchorNodes.put(anchor, closed.nodes));
        addNodes(open, closed.nodes);
      } else if (event instanceof AliasEvent alias) {
        if (openAnchorDepth.containsKey(alias.getAlias())) {
          problems.add(
              at(label, event),
              "alias '*"
                  + alias.getAlias()
                  + "' is inside the list or mapping its anchor '&"
                  + alias.getAlias()
                  + "' names, which would make it contain itself without end");
          return false;
        }
        // An undefined alias is the composer's error to report, at its line.
        long repeated = anchorNodes.getOrDefault(alias.getAlias(), 1L);
        aliasNodes += repeated;
        if (aliasNodes > MAX_ALIAS_NODES) {
          problems.add(
              at(label, event),
              String.format(
                  Locale.ROOT,
                  "alias '*%s' repeats the %,d nodes its anchor '&%s' names, which brings what"
                      + " the aliases of this file repeat past %,d nodes; write the values out"
                      + " instead of aliasing aliases",
                  alias.getAlias(),
                  repeated,
                  alias.getAlias(),
                  MAX_ALIAS_NODES));
          return false;
        }
        addNodes(open, repeated);
      } else if (event instanceof ScalarEvent scalar) {
        scalar.getAnchor().ifPresent(openAnchorDepth::remove);
        scalar.getAnchor().ifPresent(anchor -> anchorNodes.put(anchor, 1L));
        addNodes(open, 1);
      }
    }
    return true;
  }

  /** A list or mapping whose end the walk has not reached. */
  private static final class OpenCollection {
    private final Optional<Anchor> anchor;
    private long nodes = 1;

    OpenCollection(Optional<Anchor> anchor) {
      this.anchor = anchor;
    }

    Optional<Anchor> anchor() {
      return anchor;
    }
  }

  private static void addNodes(Deque<OpenCollection> open, long nodes) {
    OpenCollection parent = open.peek();
    if (parent != null) {
      parent.nodes += nodes;
    }
  }

  private static SourceLocation at(String label, Event event) {
    return new SourceLocation(label, event.getStartMark().map(m -> m.getLine() + 1).orElse(0));
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
