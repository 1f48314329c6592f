package dev.synport.cli;

import dev.synport.Messages;
import dev.synport.PortException;
import dev.synport.config.ConfigLoader;
import dev.synport.port.CopySettings;
import dev.synport.port.Porter;
import dev.synport.port.StopRequest;
import dev.synport.summary.SummaryJson;
import dev.synport.synapse.SynapseRules;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code synapse-port-db}: the same options as Synapse's synapse_port_db, and a few more. */
@Command(name = "synapse-port-db", mixinStandardHelpOptions = true, versionProvider = PortCommand.Version.class,
        sortOptions = false, usageHelpAutoWidth = true,
        description = "Ports a Synapse homeserver database from SQLite to PostgreSQL. Safe to run again against"
                + " newer snapshots, and to kill and restart at any time.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:the port finished (see the summary for repaired or rejected values)",
            "1:the SQLite database does not exist or cannot be read",
            "2:the config file is unreadable, not YAML, or its database section is malformed;"
                    + " or a bad command line",
            "3:the database section does not use the psycopg2 connector",
            "4:the config file has no database section",
            "5:the port failed or was refused (the error line says why)",
            "130:stopped by Ctrl-C, SIGTERM or q after the current batch; the same command continues"})
public final class PortCommand implements Callable<Integer> {
    @Option(names = "--sqlite-database", required = true, paramLabel = "FILE",
            description = "The snapshot of the SQLite database. It is only read, never changed.")
    Path sqliteDatabase;

    @Option(names = "--postgres-config", required = true, paramLabel = "YAML",
            description = "A homeserver config whose database section points at the PostgreSQL database.")
    Path postgresConfig;

    @Option(names = "--curses", description = "Accepted for compatibility; the full-screen view comes in a later"
            + " version, progress is printed as plain lines.")
    boolean curses;

    @Option(names = "--batch-size", paramLabel = "ROWS", defaultValue = "10000",
            description = "Rows per transaction (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--jobs", paramLabel = "N", defaultValue = "3",
            description = "Tables copied at the same time (default: ${DEFAULT-VALUE}).")
    int jobs;

    @Option(names = "--defer-indexes-from", paramLabel = "ROWS", defaultValue = "20000",
            description = "Build a table's plain indexes after its copy, instead of during it, when at least this"
                    + " many rows go into it while it is empty (default: ${DEFAULT-VALUE}).")
    long deferIndexesFrom;

    @Option(names = "--report", paramLabel = "FILE",
            description = "Where to list repaired and rejected values (JSON Lines; default:"
                    + " synapse-port-db-report-<time>.jsonl in the current directory, written only if needed).")
    Path report;

    @Option(names = "--progress-interval", paramLabel = "SECONDS", defaultValue = "5",
            description = "Seconds between progress lines when the output is not a terminal (default:"
                    + " ${DEFAULT-VALUE}).")
    int progressInterval;

    @Option(names = "--summary-json", paramLabel = "FILE",
            description = "Also write the summary as JSON (docs/SUMMARY-JSON.md), for failed and interrupted"
                    + " runs too.")
    Path summaryJson;

    @Option(names = "-v", description = "Verbose: stack traces with errors.")
    boolean verbose;

    private final PrintWriter out;
    private final PrintWriter err;
    private final Map<String, String> environment;
    private final Session session;
    private final List<String> args;

    PortCommand(PrintWriter out, PrintWriter err, Map<String, String> environment, Session session,
            List<String> args) {
        this.out = out;
        this.err = err;
        this.environment = environment;
        this.session = session;
        this.args = args;
    }

    /**
     * Where a run happens: whether stdout is a terminal (live line rather than plain lines), and
     * the stop request that Ctrl-C, SIGTERM or the curses view's {@code q} sets.
     */
    public record Session(boolean terminal, StopRequest stop) {
        /** Not on a terminal, and nothing but the caller stops it. */
        public static Session plain() {
            return new Session(false, new StopRequest());
        }
    }

    /** Runs the command line in a plain session; returns the exit code. Never exits the JVM. */
    public static int run(PrintWriter out, PrintWriter err, Map<String, String> environment, String... args) {
        return run(out, err, environment, Session.plain(), args);
    }

    /** Runs the command line; returns the exit code. Never exits the JVM. */
    public static int run(PrintWriter out, PrintWriter err, Map<String, String> environment, Session session,
            String... args) {
        PortCommand command = new PortCommand(out, err, environment, session, List.of(args));
        CommandLine cli = new CommandLine(command);
        cli.setOut(out);
        cli.setErr(err);
        cli.setParameterExceptionHandler((e, a) -> {
            err.println("error: " + Messages.oneLine(e.getMessage()) + "; run 'synapse-port-db --help' for the options");
            err.flush();
            return ExitCodes.CONFIG_MALFORMED;
        });
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            printError(err, e, command.verbose);
            return exitCode(e);
        });
        return cli.execute(args);
    }

    @Override
    public Integer call() {
        atLeastOne("--batch-size", batchSize);
        atLeastOne("--jobs", jobs);
        atLeastOne("--progress-interval", progressInterval);
        atLeastOne("--defer-indexes-from", deferIndexesFrom);
        Optional<SummaryJson> json = Optional.ofNullable(summaryJson).map(SummaryJson::new);
        json.ifPresent(SummaryJson::checkWritable);
        Clock clock = Clock.systemDefaultZone();
        Path reportPath = report != null ? report : Path.of("synapse-port-db-report-"
                + DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC).format(clock.instant())
                + ".jsonl");
        WatchedRun run = new WatchedRun(out, err, environment, session, clock, Duration.ofSeconds(progressInterval),
                Optional.empty());
        return run.run(ShellWords.command("synapse-port-db", args), reportPath, json, tracker -> new Porter(
                SynapseRules.load(), tracker, clock, session.stop()).run(sqliteDatabase,
                new ConfigLoader(environment).load(postgresConfig),
                new CopySettings(batchSize, 64 << 20, jobs, deferIndexesFrom), reportPath));
    }

    private void atLeastOne(String option, long value) {
        if (value < 1) {
            throw new CommandLine.ParameterException(new CommandLine(this),
                    option + " must be at least 1, got " + value);
        }
    }

    static int exitCode(Exception e) {
        return e instanceof PortException pe ? ExitCodes.of(pe.reason()) : ExitCodes.PORT_FAILED;
    }

    static String errorLine(Exception e) {
        return Messages.oneLine(e instanceof PortException ? e.getMessage()
                : e.getClass().getSimpleName() + ": " + e.getMessage());
    }

    private static void printError(PrintWriter err, Exception e, boolean verbose) {
        err.println("error: " + errorLine(e));
        if (verbose) {
            e.printStackTrace(err);
        }
        err.flush();
    }


    /** The version from the jar's manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = PortCommand.class.getPackage().getImplementationVersion();
            return new String[] {"synapse-port-db " + (version == null ? "(development build)" : version)};
        }
    }
}
