package dev.quiver.cli;

import static dev.quiver.cli.CliRun.quiver;
import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.ErrorKind;
import dev.quiver.QuiverException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/** Every Quiver failure is one line and exit code 1, whatever its kind. */
class QuiverCliErrorsTest {

  @TempDir Path dir;

  @ParameterizedTest
  @EnumSource(ErrorKind.class)
  void aFailureOfEveryKindIsItsOneLineEvenWhenALibraryWrappedIt(ErrorKind kind) {
    QuiverException failure =
        new QuiverException("Cannot do it: a " + kind.label() + " failure") {
          @Override
          public ErrorKind kind() {
            return kind;
          }
        };
    for (Exception thrown :
        new Exception[] {failure, new IllegalStateException("wrapped", failure)}) {
      StringWriter err = new StringWriter();
      QuiverCli.report(thrown, new PrintWriter(err), false, true);
      assertThat(err).hasToString("quiver: Cannot do it: a " + kind.label() + " failure\n");
    }
  }

  @Test
  void anythingElseIsAnUnexpectedError() {
    StringWriter err = new StringWriter();
    QuiverCli.report(new IllegalStateException("broken"), new PrintWriter(err), false, true);
    assertThat(err)
        .hasToString(
            "quiver: unexpected error: java.lang.IllegalStateException: broken (run with"
                + " --verbose for the stack trace)\n");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "--max-entity-rows | 0 | quiver.server.max-entity-rows must be at least 1, got 0",
        "--chunk-rows | -1 | quiver.server.training-set-chunk-rows must be at least 0, got -1"
      })
  void serveWithASettingOutOfRangeIsOneLineNamingTheKey(String flag, String value, String problem) {
    CliRun run = quiver("serve", "--port", "0", flag, value, "--repo", dir.toString());
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err()).isEqualTo("quiver: Cannot start the server: " + problem + "\n");
  }

  @Test
  void serveWithARegistryPollThatIsNotADurationIsOneLineNamingTheKey() {
    // No flag sets it: it comes from configuration, here a system property.
    System.setProperty("quiver.server.registry-poll", "every now and then");
    CliRun run;
    try {
      run = quiver("serve", "--port", "0", "--flight-port", "0", "--repo", dir.toString());
    } finally {
      System.clearProperty("quiver.server.registry-poll");
    }
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err())
        .isEqualTo(
            "quiver: Cannot start the server: quiver.server.registry-poll must be a duration such"
                + " as 500ms, 2s or 1m, got 'every now and then'\n");
  }
}
