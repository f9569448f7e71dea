package dev.quiver.offline;

import dev.quiver.ConfigurationException;
import java.nio.ByteBuffer;
import org.apache.arrow.memory.util.MemoryUtil;

/**
 * Whether Arrow can reach the JDK's direct buffers in this JVM. Java 17 closes {@code java.nio} to
 * libraries unless the JVM starts with {@code --add-opens=java.base/java.nio=ALL-UNNAMED}; Arrow's
 * buffers work without it, but what hands them to channels does not: Arrow IPC files and streams (a
 * join's spill files, {@code .arrow} training sets) and Arrow Flight. {@code ./quiver} passes the
 * option; an application that embeds the SDK adds it to its own {@code java} command.
 */
public final class ArrowAccess {

  /** The JVM option that opens {@code java.nio} to Arrow. */
  public static final String OPTION = "--add-opens=java.base/java.nio=ALL-UNNAMED";

  private static final boolean DIRECT_BUFFERS =
      ByteBuffer.class.getModule().isOpen("java.nio", MemoryUtil.class.getModule());

  private ArrowAccess() {}

  /** Whether direct buffers are open to Arrow. */
  public static boolean directBuffers() {
    return DIRECT_BUFFERS;
  }

  /**
   * Fails, naming the JVM option, when Arrow cannot reach direct buffers.
   *
   * @param action what needs them, as in "Cannot {@code action}"
   * @throws ConfigurationException when the JVM was started without {@link #OPTION}
   */
  public static void require(String action) {
    if (!DIRECT_BUFFERS) {
      throw new ConfigurationException(
          "Cannot "
              + action
              + ": Arrow needs the JVM option "
              + OPTION
              + " for it; add it to the java command that starts this program (or to"
              + " JAVA_TOOL_OPTIONS, or to Maven Surefire's argLine for tests)");
    }
  }
}
