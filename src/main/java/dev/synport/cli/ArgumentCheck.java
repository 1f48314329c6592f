package dev.synport.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Names the first argument the command does not know, before picocli parses the line:
 * picocli reports missing required options first, so {@code --frobnicate} alone would be
 * answered with "Missing required options" and the real mistake never named.
 */
final class ArgumentCheck {
    private final CommandSpec spec;

    ArgumentCheck(CommandSpec spec) {
        this.spec = spec;
    }

    /** Fails, as picocli's own checks do, when a count option of {@code command} is below 1. */
    static void atLeastOne(Object command, String option, long value) {
        if (value < 1) {
            throw new CommandLine.ParameterException(new CommandLine(command), option + " must be at least 1, got "
                    + value);
        }
    }

    /** Fails in picocli's words when {@code --sqlite-database} or {@code --postgres-config} (or both) is missing. */
    static void requireDatabases(Object command, Path sqliteDatabase, Path postgresConfig) {
        List<String> missing = Stream.of(sqliteDatabase == null ? "'--sqlite-database=FILE'" : null,
                postgresConfig == null ? "'--postgres-config=YAML'" : null).filter(Objects::nonNull).toList();
        if (!missing.isEmpty()) {
            throw new CommandLine.ParameterException(new CommandLine(command), "Missing required option"
                    + (missing.size() > 1 ? "s: " : ": ") + String.join(", ", missing));
        }
    }

    /** The problem with the first unknown option or stray argument, if there is one. */
    Optional<String> firstProblem(List<String> args) {
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.equals("--")) {
                return i + 1 < args.size() ? Optional.of(stray(args.get(i + 1))) : Optional.empty();
            }
            if (!arg.startsWith("-") || arg.equals("-")) {
                return Optional.of(stray(arg));
            }
            int equals = arg.indexOf('=');
            String name = equals > 0 ? arg.substring(0, equals) : arg;
            OptionSpec option = spec.findOption(name);
            if (option == null || !List.of(option.names()).contains(name)) {
                return Optional.of("unknown option '" + name + "'");
            }
            if (equals < 0 && option.arity().max() > 0) {
                i++; // the option's value, whatever it looks like
            }
        }
        return Optional.empty();
    }

    private static String stray(String arg) {
        return "unexpected argument '" + arg + "' (this command takes no positional arguments)";
    }
}
