package dev.quiver.offline.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.offline.io.PendingFile;
import dev.quiver.offline.io.TrainingSetFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Training sets compared with the expected outputs in {@code src/test/resources/golden}. With
 * {@code -Dquiver.golden.update=true} the expected files are written from what the code gives, to
 * be reviewed in their diff before committing.
 */
public final class GoldenFiles {

  private static final Path GOLDEN = Path.of("src/test/resources/golden");

  private GoldenFiles() {}

  /**
   * Writes {@code table} to {@code file} as a training set (by its extension); returns the text.
   */
  public static String written(VectorSchemaRoot table, Path file, BufferAllocator allocator)
      throws IOException {
    try (PendingFile out = PendingFile.beside(file)) {
      TrainingSetFiles.write(table, out, allocator);
      out.commit();
    }
    return Files.readString(file);
  }

  /** Asserts that {@code table}, written as {@code name} in {@code dir}, equals its golden file. */
  public static void assertGolden(
      String name, VectorSchemaRoot table, Path dir, BufferAllocator allocator) throws IOException {
    String actual = written(table, dir.resolve(name), allocator);
    if (Boolean.getBoolean("quiver.golden.update")) {
      Files.createDirectories(GOLDEN);
      Files.writeString(GOLDEN.resolve(name), actual);
    }
    assertThat(actual)
        .as("%s (regenerate with -Dquiver.golden.update=true and review the diff)", name)
        .isEqualTo(Files.readString(GOLDEN.resolve(name)));
  }
}
