package dev.quiver.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's complete SDK program compiles against the SDK as it is. */
class ReadmeExampleTest {

  @TempDir Path out;

  @Test
  void theReadmesSdkProgramCompiles() throws Exception {
    String readme = Files.readString(Path.of("..", "README.md"));
    Matcher program =
        Pattern.compile(
                "```java\\n(import dev\\.quiver\\.sdk\\..*?public class (\\w+).*?)```",
                Pattern.DOTALL)
            .matcher(readme);
    assertThat(program.find()).as("a complete program in README.md").isTrue();
    String source = program.group(1);
    String name = program.group(2);
    JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
    StringWriter errors = new StringWriter();
    try (StandardJavaFileManager files = compiler.getStandardFileManager(null, null, null)) {
      JavaFileObject file =
          new SimpleJavaFileObject(
              java.net.URI.create("string:///" + name + ".java"), JavaFileObject.Kind.SOURCE) {
            @Override
            public CharSequence getCharContent(boolean ignoreEncodingErrors) {
              return source;
            }
          };
      boolean compiled =
          compiler
              .getTask(
                  errors,
                  files,
                  null,
                  List.of(
                      "-classpath", System.getProperty("java.class.path"), "-d", out.toString()),
                  null,
                  List.of(file))
              .call();
      assertThat(compiled).as(errors.toString()).isTrue();
    }
    assertThat(out.resolve(name + ".class")).exists();
  }
}
