package dev.quiver.offline.join;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.OutputException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpillPartitionsTest {

  @TempDir Path dir;

  @Test
  void aSpillFolderThatCannotBeMadeIsAnOutputExceptionThatSaysWhereSpillsGo() throws Exception {
    Path notAFolder = Files.writeString(dir.resolve("taken"), "a file");
    try (RootAllocator allocator = new RootAllocator()) {
      assertThatThrownBy(() -> new SpillPartitions(notAFolder, 4, List.of(), allocator))
          .isInstanceOf(OutputException.class)
          .hasMessageStartingWith("Cannot create a spill folder in " + notAFolder + ": ")
          .hasMessageEndingWith(
              " (spilling needs free space there; is the disk full or the folder not writable?"
                  + " -Djava.io.tmpdir moves it)")
          .hasCauseInstanceOf(FileSystemException.class);
    }
  }
}
