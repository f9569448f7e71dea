package dev.quiver.spark;

import dev.quiver.offline.io.FileRead;
import dev.quiver.offline.join.SourceFileRead;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.SerializableConfiguration;

/**
 * The fingerprints a manifest records of the files a Spark job read: size, modification time and
 * the checksum of the whole file, computed by the executors (one task per file), through Hadoop's
 * file systems, so that any path Spark reads can be fingerprinted. The embedded engine checksums
 * the row groups it read; a Spark manifest's checksums cover whole files.
 */
final class FileChecksums {

  private FileChecksums() {}

  /** One file's fingerprint. */
  record Fingerprint(String file, long size, long modified, long checksum)
      implements Serializable {}

  /**
   * The entity rows' fingerprint: their file's, or for a folder of files one over all of them (the
   * sizes summed, the latest modification, a checksum of each file's name and checksum in path
   * order), recorded under the path the request named.
   *
   * @param entities the entity rows as the request named them: a file or a folder
   */
  static FileRead entityRead(SparkSession spark, String entities, List<String> files, long rows) {
    List<Fingerprint> prints = new ArrayList<>(of(spark, files));
    prints.sort(java.util.Comparator.comparing(p -> SourceFrames.normalized(p.file())));
    Fingerprint print = combined(prints);
    return new FileRead(
        pathOf(entities),
        print.size(),
        Instant.ofEpochMilli(print.modified()),
        print.checksum(),
        print.size(),
        rows);
  }

  /** One fingerprint for several files, in the order given; the file's own for one. */
  static Fingerprint combined(List<Fingerprint> prints) {
    if (prints.size() == 1) {
      return prints.get(0);
    }
    CRC32C crc = new CRC32C();
    long size = 0;
    long modified = 0;
    for (Fingerprint print : prints) {
      String name = SourceFrames.normalized(print.file());
      crc.update(name.substring(name.lastIndexOf('/') + 1).getBytes(StandardCharsets.UTF_8));
      crc.update(java.nio.ByteBuffer.allocate(8).putLong(print.checksum()).array());
      size += print.size();
      modified = Math.max(modified, print.modified());
    }
    return new Fingerprint("", size, modified, crc.getValue());
  }

  static List<SourceFileRead> sourceReads(SparkSession spark, Map<String, List<String>> byView) {
    List<String> all = new ArrayList<>();
    byView.values().forEach(all::addAll);
    Map<String, Fingerprint> prints = new HashMap<>();
    for (Fingerprint print : of(spark, all.stream().distinct().toList())) {
      prints.put(print.file(), print);
    }
    List<SourceFileRead> reads = new ArrayList<>();
    for (Map.Entry<String, List<String>> view : new java.util.TreeMap<>(byView).entrySet()) {
      for (String file : view.getValue().stream().sorted().toList()) {
        Fingerprint print = prints.get(file);
        reads.add(
            new SourceFileRead(
                view.getKey(),
                new FileRead(
                    pathOf(file),
                    print.size(),
                    Instant.ofEpochMilli(print.modified()),
                    print.checksum(),
                    print.size(),
                    -1),
                0,
                0));
      }
    }
    return reads;
  }

  static List<Fingerprint> of(SparkSession spark, List<String> files) {
    if (files.isEmpty()) {
      return List.of();
    }
    SerializableConfiguration conf =
        new SerializableConfiguration(spark.sparkContext().hadoopConfiguration());
    return JavaSparkContext.fromSparkContext(spark.sparkContext())
        .parallelize(files, files.size())
        .map(file -> fingerprint(file, conf.value()))
        .collect();
  }

  private static Fingerprint fingerprint(String file, Configuration conf) throws IOException {
    org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(URI.create(file));
    FileSystem fs = path.getFileSystem(conf);
    FileStatus status = fs.getFileStatus(path);
    CRC32C crc = new CRC32C();
    byte[] buffer = new byte[1 << 16];
    try (InputStream in = fs.open(path)) {
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        crc.update(buffer, 0, n);
      }
    }
    return new Fingerprint(file, status.getLen(), status.getModificationTime(), crc.getValue());
  }

  /** A local file as a path, any other location as its URI's text. */
  static Path pathOf(String file) {
    URI uri = URI.create(file);
    return uri.getScheme() == null || uri.getScheme().equals("file")
        ? Path.of(uri.getPath())
        : Path.of(file);
  }
}
