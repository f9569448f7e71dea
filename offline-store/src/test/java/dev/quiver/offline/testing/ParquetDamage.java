package dev.quiver.offline.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.format.PageHeader;
import org.apache.parquet.format.Util;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.io.LocalInputFile;

/**
 * Damages a Parquet file the way a bad disk or an interrupted copy does: the bytes of one column
 * chunk's first data page are overwritten, while the footer and the page's header stay intact, so
 * the file opens and its schema checks pass, and only decoding the page fails.
 */
public final class ParquetDamage {

  private ParquetDamage() {}

  /**
   * Overwrites the data (not the header) of the first data page of {@code column} in {@code
   * rowGroup} with 0xFF bytes.
   */
  public static void damageFirstDataPage(Path file, int rowGroup, String column) {
    long pageOffset;
    try (ParquetFileReader reader =
        ParquetFileReader.open(new LocalInputFile(file), ParquetReadOptions.builder().build())) {
      ColumnChunkMetaData chunk =
          reader.getRowGroups().get(rowGroup).getColumns().stream()
              .filter(c -> c.getPath().toDotString().equals(column))
              .findFirst()
              .orElseThrow(() -> new IllegalArgumentException("no column " + column));
      pageOffset = chunk.getFirstDataPageOffset();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try (FileChannel channel =
        FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      channel.position(pageOffset);
      InputStream in = Channels.newInputStream(channel);
      PageHeader header = Util.readPageHeader(in);
      long dataStart = channel.position();
      byte[] garbage = new byte[header.getCompressed_page_size()];
      Arrays.fill(garbage, (byte) 0xFF);
      channel.write(ByteBuffer.wrap(garbage), dataStart);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
