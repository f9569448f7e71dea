package dev.quiver.offline.parquet;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.SeekableInputStream;

/**
 * A local Parquet file whose streams feed every byte they read, in read order, into a CRC32C. The
 * checksum is the fingerprint of exactly what a retrieval read, computed while reading rather than
 * in a second pass; the same request over the same file reads the same bytes in the same order, so
 * it gives the same value.
 */
public final class ChecksummedInputFile implements InputFile {

  private final Path path;
  private final long length;
  private CRC32C checksum = new CRC32C();
  private long bytesRead;

  public ChecksummedInputFile(Path path) throws IOException {
    this.path = path;
    try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
      this.length = channel.size();
    }
  }

  public Path path() {
    return path;
  }

  @Override
  public long getLength() {
    return length;
  }

  /** Starts a new checksum, returning the one accumulated so far. */
  public synchronized long resetChecksum() {
    long value = checksum.getValue();
    checksum = new CRC32C();
    return value;
  }

  public synchronized long bytesRead() {
    return bytesRead;
  }

  private synchronized void update(ByteBuffer read) {
    bytesRead += read.remaining();
    checksum.update(read);
  }

  @Override
  public SeekableInputStream newStream() throws IOException {
    FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
    return new SeekableInputStream() {
      private long position;

      @Override
      public long getPos() {
        return position;
      }

      @Override
      public void seek(long newPos) {
        position = newPos;
      }

      @Override
      public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
      }

      @Override
      public int read(byte[] bytes, int offset, int length) throws IOException {
        return read(ByteBuffer.wrap(bytes, offset, length));
      }

      @Override
      public void readFully(byte[] bytes) throws IOException {
        readFully(ByteBuffer.wrap(bytes));
      }

      @Override
      public void readFully(byte[] bytes, int start, int len) throws IOException {
        readFully(ByteBuffer.wrap(bytes, start, len));
      }

      @Override
      public int read(ByteBuffer buf) throws IOException {
        int start = buf.position();
        int count = channel.read(buf, position);
        if (count > 0) {
          position += count;
          update(buf.duplicate().position(start).limit(start + count));
        }
        return count;
      }

      @Override
      public void readFully(ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
          if (read(buf) < 0) {
            throw new EOFException("Unexpected end of " + path);
          }
        }
      }

      @Override
      public void close() throws IOException {
        channel.close();
      }
    };
  }

  @Override
  public String toString() {
    return path.toString();
  }
}
