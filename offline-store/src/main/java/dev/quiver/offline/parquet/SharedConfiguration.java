package dev.quiver.offline.parquet;

import org.apache.hadoop.conf.Configuration;

/**
 * The one Hadoop configuration that Parquet's readers and writers take their options and codecs
 * from. Making one parses Hadoop's default XML resources (a new one per file opened was 3.5% of a
 * historical join's samples); this one is only read, so the process shares it.
 */
public final class SharedConfiguration {

  private static final Configuration HADOOP = new Configuration();

  private SharedConfiguration() {}

  /** The shared configuration: read it, never set anything on it. */
  public static Configuration hadoop() {
    return HADOOP;
  }
}
