package dev.synport.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ArgumentCheckTest {
    private final ArgumentCheck check = new ArgumentCheck(new CommandLine(new PortCommand(
            new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()), Map.of(), PortCommand.Session.plain(),
            List.of())).getCommandSpec());

    private Optional<String> problem(String... args) {
        return check.firstProblem(List.of(args));
    }

    @Test
    void knownOptionsInEitherSpellingPass() {
        assertThat(problem("--sqlite-database", "a.db", "--postgres-config=b.yaml", "--jobs", "2", "-v", "--curses",
                "--log-file", "x.log")).isEmpty();
        assertThat(problem("--help")).isEmpty();
    }

    @Test
    void anOptionsValueIsNeverTakenForAnOption() {
        assertThat(problem("--report", "--frobnicate", "--batch-size", "-5")).isEmpty();
    }

    @Test
    void unknownOptionsAreNamedWithoutTheirValue() {
        assertThat(problem("--frobnicate")).contains("unknown option '--frobnicate'");
        assertThat(problem("--jobs", "2", "--colour=never")).contains("unknown option '--colour'");
        assertThat(problem("-jobs", "2")).as("a long option with one dash").contains("unknown option '-jobs'");
    }

    @Test
    void strayArgumentsAreNamedWhereverTheyAre() {
        String stray = "unexpected argument 'homeserver.db' (this command takes no positional arguments)";
        assertThat(problem("homeserver.db")).contains(stray);
        assertThat(problem("-v", "homeserver.db", "--frobnicate")).contains(stray);
        assertThat(problem("--", "homeserver.db")).contains(stray);
        assertThat(problem("--")).isEmpty();
        assertThat(problem("-")).contains("unexpected argument '-' (this command takes no positional arguments)");
    }
}
