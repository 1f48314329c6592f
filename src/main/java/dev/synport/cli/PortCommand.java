package dev.synport.cli;

import dev.synport.Messages;
import dev.synport.PortException;
import dev.synport.config.ConfigLoader;
import dev.synport.config.LoadedConfig;
import dev.synport.port.CopySettings;
import dev.synport.port.PortSummary;
import dev.synport.port.Porter;
import dev.synport.progress.PlainProgress;
import dev.synport.synapse.SynapseRules;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
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
            "5:the port failed or was refused (the error line says why)"})
public final class PortCommand implements Callable<Integer> {
    @Option(names = "--sqlite-database", paramLabel = "FILE",
            description = "The snapshot of the SQLite database. It is only read, never changed. Required, except"
                    + " with --demo, which ports its bundled sample unless this names another database.")
    Path sqliteDatabase;

    @Option(names = "--postgres-config", paramLabel = "YAML",
            description = "A homeserver config whose database section points at the PostgreSQL database."
                    + " Required, except with --demo.")
    Path postgresConfig;

    @Option(names = "--demo", description = "Start a temporary PostgreSQL, port the bundled sample Synapse database"
            + " into it twice (a first run and a rerun), show what arrived, then stop the server and delete it.")
    boolean demo;

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
            description = "Seconds between progress lines (default: ${DEFAULT-VALUE}).")
    int progressInterval;

    @Option(names = "-v", description = "Verbose: stack traces with errors.")
    boolean verbose;

    private final PrintWriter out;
    private final Map<String, String> environment;

    PortCommand(PrintWriter out, Map<String, String> environment) {
        this.out = out;
        this.environment = environment;
    }

    /** Runs the command line; returns the exit code. Never exits the JVM. */
    public static int run(PrintWriter out, PrintWriter err, Map<String, String> environment, String... args) {
        PortCommand command = new PortCommand(out, environment);
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
            return e instanceof PortException pe ? ExitCodes.of(pe.reason()) : ExitCodes.PORT_FAILED;
        });
        return cli.execute(args);
    }

    @Override
    public Integer call() {
        atLeastOne("--batch-size", batchSize);
        atLeastOne("--jobs", jobs);
        atLeastOne("--progress-interval", progressInterval);
        atLeastOne("--defer-indexes-from", deferIndexesFrom);
        if (demo) {
            if (postgresConfig != null) {
                throw new CommandLine.ParameterException(new CommandLine(this),
                        "--demo starts its own PostgreSQL: leave out --postgres-config");
            }
            return new Demo(out, this::port).run(sqliteDatabase != null ? sqliteDatabase : Demo.bundledSample());
        }
        List<String> missing = Stream.of(sqliteDatabase == null ? "'--sqlite-database=FILE'" : null,
                postgresConfig == null ? "'--postgres-config=YAML'" : null).filter(Objects::nonNull).toList();
        if (!missing.isEmpty()) {
            throw new CommandLine.ParameterException(new CommandLine(this), "Missing required option"
                    + (missing.size() > 1 ? "s: " : ": ") + String.join(", ", missing));
        }
        Clock clock = Clock.systemUTC();
        return port(sqliteDatabase, postgresConfig, report != null ? report : Path.of("synapse-port-db-report-"
                + DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC).format(clock.instant())
                + ".jsonl"));
    }

    private int port(Path sqlite, Path configFile, Path reportPath) {
        LoadedConfig config = new ConfigLoader(environment).load(configFile);
        Clock clock = Clock.systemUTC();
        PlainProgress progress = new PlainProgress(out, clock, Duration.ofSeconds(progressInterval));
        PortSummary summary = new Porter(SynapseRules.load(), progress, clock).run(sqlite, config,
                new CopySettings(batchSize, 64 << 20, jobs, deferIndexesFrom), reportPath);
        printSummary(summary);
        return ExitCodes.OK;
    }

    private void atLeastOne(String option, long value) {
        if (value < 1) {
            throw new CommandLine.ParameterException(new CommandLine(this),
                    option + " must be at least 1, got " + value);
        }
    }

    private void printSummary(PortSummary s) {
        out.println(String.format(Locale.ROOT, "Port finished in %s: %d tables, %,d rows copied this run, %d"
                + " sequences set.", PlainProgress.formatDuration(s.elapsed()), s.tablesCopied(), s.rowsCopied(),
                s.sequencesSet()));
        out.println("Not copied (by design): " + String.join(", ", s.tablesSkipped().keySet().stream().sorted().toList())
                + "; Synapse rebuilds the user directory by itself after it starts.");
        if (s.report().isPresent()) {
            out.println(String.format(Locale.ROOT, "%,d values repaired and %,d rows rejected: see %s",
                    s.rowsRepaired(), s.rowsRejected(), s.report().get().toAbsolutePath()));
        } else {
            out.println("Nothing repaired or rejected.");
        }
        out.flush();
    }

    private static void printError(PrintWriter err, Exception e, boolean verbose) {
        String message = e instanceof PortException ? e.getMessage() : e.getClass().getSimpleName() + ": " + e.getMessage();
        err.println("error: " + Messages.oneLine(message));
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
