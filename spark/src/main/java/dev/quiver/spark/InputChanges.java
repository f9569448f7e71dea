package dev.quiver.spark;

import dev.quiver.offline.io.FileRead;
import dev.quiver.offline.join.SourceFileRead;
import dev.quiver.offline.manifest.DatasetManifest;
import dev.quiver.offline.parquet.SourceFiles;
import dev.quiver.registry.InvalidRequestException;
import dev.quiver.registry.model.Definitions;
import dev.quiver.registry.model.FeatureView;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * What changed in the inputs a Spark manifest recorded, found before anything is computed (its
 * checksums cover whole files): files gone, resized, with new content, and new files in a view's
 * source. Empty when the training set can be built again as it was.
 */
final class InputChanges {

  private InputChanges() {}

  static List<String> of(SparkSession spark, DatasetManifest original, Definitions definitions) {
    List<String> changes = new ArrayList<>();
    List<String> remote = new ArrayList<>();
    for (FileRead read : reads(original)) {
      if (!read.path().isAbsolute()) {
        remote.add(read.path().toString());
      }
    }
    if (!remote.isEmpty()) {
      throw new InvalidRequestException(
          "Cannot reproduce: it read files outside this machine's file system ("
              + String.join(", ", remote)
              + "), which reproduce does not fingerprint yet; build the training set again with"
              + " 'quiver historical'");
    }
    Path entities = original.entities().path();
    if (!Files.exists(entities)) {
      changes.add("entity file " + entities + " is gone");
    } else {
      List<String> files =
          Files.isDirectory(entities)
              ? List.of(spark.read().parquet(uri(entities)).inputFiles())
              : List.of(uri(entities));
      List<FileChecksums.Fingerprint> prints = new ArrayList<>(FileChecksums.of(spark, files));
      prints.sort(java.util.Comparator.comparing(p -> SourceFrames.normalized(p.file())));
      FileChecksums.Fingerprint now = FileChecksums.combined(prints);
      FileRead before = original.entities();
      if (now.size() != before.size()) {
        changes.add(
            "entity file "
                + entities
                + " changed size ("
                + before.size()
                + " -> "
                + now.size()
                + " bytes)");
      } else if (now.checksum() != before.checksum()) {
        changes.add("entity file " + entities + " has new content");
      }
    }
    Map<String, FileRead> recorded = new LinkedHashMap<>();
    Map<String, String> what = new HashMap<>();
    Map<String, List<String>> byView = new LinkedHashMap<>();
    for (SourceFileRead source : original.sources()) {
      String file = uri(source.file().path());
      recorded.put(file, source.file());
      what.putIfAbsent(file, "source file of '" + source.view() + "'");
      byView.computeIfAbsent(source.view(), v -> new ArrayList<>()).add(file);
    }
    List<String> present = new ArrayList<>();
    for (Map.Entry<String, FileRead> entry : recorded.entrySet()) {
      Path path = entry.getValue().path();
      if (!Files.exists(path)) {
        changes.add(what.get(entry.getKey()) + " " + path + " is gone");
      } else {
        present.add(entry.getKey());
      }
    }
    for (FileChecksums.Fingerprint now : FileChecksums.of(spark, present)) {
      FileRead before = recorded.get(now.file());
      String name = what.get(now.file()) + " " + before.path();
      if (now.size() != before.size()) {
        changes.add(name + " changed size (" + before.size() + " -> " + now.size() + " bytes)");
      } else if (now.checksum() != before.checksum()) {
        changes.add(name + " has new content");
      }
    }
    for (Map.Entry<String, List<String>> view : byView.entrySet()) {
      FeatureView definition = definitions.featureView(view.getKey()).orElseThrow();
      String path = definitions.sourceOf(definition).path();
      if (SourceFrames.isUri(path)) {
        // Listing a remote folder means reading it with Spark: its files were compared above.
        continue;
      }
      for (Path file : SourceFiles.resolve(original.repoRoot(), path)) {
        if (!view.getValue().contains(uri(file))) {
          changes.add("new source file of '" + view.getKey() + "': " + file);
        }
      }
    }
    return changes;
  }

  private static List<FileRead> reads(DatasetManifest original) {
    List<FileRead> reads = new ArrayList<>();
    reads.add(original.entities());
    original.sources().forEach(source -> reads.add(source.file()));
    return reads;
  }

  private static String uri(Path path) {
    return path.toAbsolutePath().normalize().toUri().toString();
  }
}
