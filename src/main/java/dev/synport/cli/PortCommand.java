package dev.synport.cli;

import dev.synport.Messages;
import dev.synport.PortException;
import dev.synport.config.ConfigLoader;
import dev.synport.port.CopySettings;
import dev.synport.port.StopRequest;
import dev.synport.progress.LoggingProgress;
import dev.synport.run.Porter;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code synapse-port-db}: the same options as Synapse's synapse_port_db, and a few more. */
@Command(name = "synapse-port-db", mixinStandardHelpOptions = true, versionProvider = PortCommand.Version.class,
        sortOptions = false, usageHelpAutoWidth = true,
        description = "Ports a Synapse homeserver database from SQLite to PostgreSQL. Safe to run again against"
                + " newer snapshots, and to kill and restart at any time.",
        footer = "%nTo compare a ported database with its snapshot again later: synapse-port-db verify --help",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:the port finished (see the summary for repaired or rejected values)",
            "1:the SQLite database does not exist or cannot be read (e.g. permission denied)",
            "2:the config file is unreadable, not YAML, or its database section is malformed;"
                    + " or a bad command line (an unknown option, a stray argument, a bad value, a --log-file or"
                    + " --report path that cannot be written)",
            "3:the database section does not use the psycopg2 connector",
            "4:the config file has no database section",
            "5:the port failed or was refused (the error line says why)",
            "130:stopped by Ctrl-C, SIGTERM or q after the current batch; the same command continues"})
public final class PortCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(PortCommand.class);
    /** The log's name when --log-file is not given, as Synapse's script names it. */
    private static final Path DEFAULT_LOG = Path.of("port-synapse.log");

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

    @Option(names = "--curses", description = "A full-screen progress view (overall bar, ETA, rates, one line per"
            + " table); q or Ctrl-C stops after the current batch, and the summary at the end waits for a key."
            + " Without a terminal, plain progress lines are printed instead.")
    boolean curses;

    @Option(names = "--batch-size", paramLabel = "ROWS", defaultValue = "10000",
            description = "Rows per transaction (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--jobs", paramLabel = "N", defaultValue = "3",
            description = "Tables copied at the same time (default: ${DEFAULT-VALUE}).")
    int jobs;

    @Option(names = "--defer-indexes-from", paramLabel = "ROWS", defaultValue = "20000",
            description = "Build a table's indexes, unique constraints and foreign keys after its copy, instead of"
                    + " checking each row as it arrives, when at least this many rows go into it while it is empty"
                    + " (default: ${DEFAULT-VALUE}); rows they refuse are then removed and reported as rejected.")
    long deferIndexesFrom;

    @Option(names = "--report", paramLabel = "FILE",
            description = "Where to list repaired and rejected values (JSON Lines, readable by its owner only;"
                    + " default: synapse-port-db-report-<time>.jsonl beside the log file, written only if needed).")
    Path report;

    @Option(names = "--log-file", paramLabel = "FILE",
            description = "The run's log, appended to across runs and readable by its owner only; attach it to a"
                    + " support request (default: port-synapse.log in the current directory, as Synapse's script; with --demo, in the demo's"
                    + " temporary directory).")
    Path logFile;

    @Option(names = "--progress-interval", paramLabel = "SECONDS", defaultValue = "5",
            description = "Seconds between progress lines when the output is not a terminal (default:"
                    + " ${DEFAULT-VALUE}).")
    int progressInterval;

    @Option(names = "--summary-json", paramLabel = "FILE",
            description = "Also write the summary as JSON (docs/SUMMARY-JSON.md), for failed and stopped runs too.")
    Path summaryJson;

    @Option(names = "--verify", description = "After the copy, compare every table with the snapshot (row counts"
            + " and a content checksum) and every sequence with its tables; a difference fails the run (exit 5)."
            + " The default.")
    boolean verify;

    @Option(names = "--no-verify", description = "Skip that comparison (the sequence check still runs).")
    boolean noVerify;

    @Option(names = "-v", description = "Verbose: DEBUG lines in the log file, and stack traces with errors.")
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
     * Where a run happens: whether stdout is a terminal (a live line or the full-screen view
     * rather than plain lines), and the stop request that Ctrl-C, SIGTERM or the view's
     * {@code q} sets.
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
        if (args.length > 0 && args[0].equals("verify")) {
            return VerifyCommand.run(out, err, environment, List.of(args).subList(1, args.length));
        }
        PortCommand command = new PortCommand(out, err, environment, session, List.of(args));
        CommandLine cli = new CommandLine(command);
        cli.setOut(out);
        cli.setErr(err);
        Optional<String> badArgument = new ArgumentCheck(cli.getCommandSpec()).firstProblem(List.of(args));
        if (badArgument.isPresent()) {
            err.println("error: " + badArgument.get() + "; run 'synapse-port-db --help' for the options");
            err.flush();
            return ExitCodes.CONFIG_MALFORMED;
        }
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
        ArgumentCheck.atLeastOne(this, "--batch-size", batchSize);
        ArgumentCheck.atLeastOne(this, "--jobs", jobs);
        ArgumentCheck.atLeastOne(this, "--progress-interval", progressInterval);
        ArgumentCheck.atLeastOne(this, "--defer-indexes-from", deferIndexesFrom);
        if (verify && noVerify) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--verify and --no-verify contradict"
                    + " each other: give one");
        }
        if (demo) {
            if (postgresConfig != null) {
                throw new CommandLine.ParameterException(new CommandLine(this),
                        "--demo starts its own PostgreSQL: leave out --postgres-config");
            }
            return new Demo(out, (sqlite, config, demoLog) -> port(sqlite, config, logFile != null ? logFile : demoLog))
                    .run(sqliteDatabase != null ? sqliteDatabase : Demo.bundledSample());
        }
        ArgumentCheck.requireDatabases(this, sqliteDatabase, postgresConfig);
        return port(sqliteDatabase, postgresConfig, logFile != null ? logFile : DEFAULT_LOG);
    }

    /** One port with its log; returns the exit code, or throws what the run failed with (after logging it). */
    private int port(Path sqlite, Path configFile, Path logPath) {
        Optional<SummaryJson> json = Optional.ofNullable(summaryJson).map(SummaryJson::new);
        json.ifPresent(SummaryJson::checkWritable);
        Clock clock = Clock.systemDefaultZone();
        // the log first, so that every later refusal is in it
        Path log = OutputFiles.checkWritable(logPath, "log file", "--log-file", true);
        RunLog runLog = RunLog.open(log, verbose);
        try {
            LOG.info("===== {} started: {} =====", new Version().getVersion()[0], describeOptions(sqlite, configFile, log));
            LOG.info("Java {} ({}) on {} {}", System.getProperty("java.version"), System.getProperty("java.vendor"),
                    System.getProperty("os.name"), System.getProperty("os.arch"));
            int code = watched(sqlite, configFile, clock, log, json);
            LOG.info("===== finished: exit {} =====", code);
            return code;
        } catch (RuntimeException e) {
            LOG.error("the run failed: {}", Messages.oneLine(e.getMessage()), e);
            LOG.info("===== finished: exit {} =====", exitCode(e));
            throw e;
        } finally {
            runLog.close();
        }
    }

    private int watched(Path sqlite, Path configFile, Clock clock, Path log, Optional<SummaryJson> json) {
        Path defaultReport = log.resolveSibling("synapse-port-db-report-"
                + DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC).format(clock.instant())
                + ".jsonl");
        Path reportPath = OutputFiles.checkWritable(report != null ? report : defaultReport, "report", "--report", false);
        LOG.info("report (written only if something is repaired or rejected): {}", reportPath);
        if (curses && !session.terminal()) {
            err.println("warning: --curses needs a terminal; printing plain progress lines instead");
            err.flush();
        }
        WatchedRun run = new WatchedRun(out, err, environment, session, curses && session.terminal(), clock,
                Duration.ofSeconds(progressInterval), Optional.of(log));
        return run.run(ShellWords.command("synapse-port-db", args), reportPath, json, tracker -> new Porter(
                SynapseRules.load(), new ProgressFanOut(new LoggingProgress(clock), tracker), session.stop(), !noVerify)
                .run(sqlite, new ConfigLoader(environment).load(configFile),
                        new CopySettings(batchSize, 64 << 20, jobs, deferIndexesFrom), reportPath));
    }

    /** The command line as the log shows it: paths and numbers only, nothing secret can be among them. */
    private String describeOptions(Path sqlite, Path configFile, Path log) {
        return (demo ? "--demo " : "") + "--sqlite-database " + sqlite + " --postgres-config " + configFile
                + " --batch-size " + batchSize + " --jobs " + jobs + " --defer-indexes-from " + deferIndexesFrom
                + (report != null ? " --report " + report : "") + " --log-file " + log
                + " --progress-interval " + progressInterval + (summaryJson != null ? " --summary-json " + summaryJson : "")
                + (curses ? " --curses" : "") + (noVerify ? " --no-verify" : "") + (verbose ? " -v" : "");
    }

    static int exitCode(Exception e) {
        return e instanceof PortException pe ? ExitCodes.of(pe.reason()) : ExitCodes.PORT_FAILED;
    }

    static String errorLine(Exception e) {
        return Messages.oneLine(e instanceof PortException ? e.getMessage()
                : e.getClass().getSimpleName() + ": " + e.getMessage());
    }

    static void printError(PrintWriter err, Exception e, boolean verbose) {
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
