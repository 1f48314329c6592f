package dev.synport.testing;

import dev.synport.cli.PortCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;

/** Runs the command line in this JVM, capturing what it prints. */
public final class Cli {
    private Cli() {}

    /** The exit code and the two output streams of one run. */
    public record Result(int exitCode, String out, String err) {
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
