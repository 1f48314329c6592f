package dev.synport.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.synport.cli.PortCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;

/** Runs the command line in this JVM, capturing what it prints. */
public final class Cli {
    private Cli() {}

    /** The exit code and the two output streams of one run. */
    public record Result(int exitCode, String out, String err) {
        /**
         * Checks that the run ended with {@code exitCode} and one {@code error: } line on stderr,
         * with no stack trace, and returns that line.
         */
        public String errorLine(int expectedExitCode) {
            assertThat(exitCode).as(toString()).isEqualTo(expectedExitCode);
            assertThat(err).as(toString()).startsWith("error: ").endsWith("\n");
            List<String> lines = err.lines().toList();
            assertThat(lines).as(toString()).hasSize(1);
            String line = lines.get(0);
            assertThat(line).doesNotContain("Exception").doesNotContain("\tat ").doesNotContain("Caused by");
            return line;
        }

        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    public static Result run(String... args) {
        return run(Map.of(), args);
    }

    public static Result run(Map<String, String> environment, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = PortCommand.run(new PrintWriter(out), new PrintWriter(err), environment, args);
        return new Result(code, out.toString(), err.toString());
    }
}
