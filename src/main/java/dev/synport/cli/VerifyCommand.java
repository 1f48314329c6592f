package dev.synport.cli;

import dev.synport.FailureReason;
import dev.synport.Messages;
import dev.synport.PortException;
import dev.synport.config.ConfigLoader;
import dev.synport.run.StandaloneVerification;
import dev.synport.synapse.SynapseRules;
import dev.synport.verify.RejectedRows;
import dev.synport.verify.Verdict;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code synapse-port-db verify}: compares a ported target with its snapshot, writing nothing. */
@Command(name = "synapse-port-db verify", mixinStandardHelpOptions = true, versionProvider = PortCommand.Version.class,
        sortOptions = false, usageHelpAutoWidth = true,
        description = "Compares every table of a ported PostgreSQL database with the SQLite snapshot it was ported"
                + " from (row counts and a content checksum, values as the port converts and repairs them), and"
                + " every sequence with its tables. Writes nothing; holds the port's lock while it reads.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:everything is equal",
            "1:the SQLite database does not exist or cannot be read",
            "2:the config file is unreadable or malformed, or a bad command line (also an unreadable --report)",
            "3:the database section does not use the psycopg2 connector",
            "4:the config file has no database section",
            "5:a table or sequence differs (the verdict names each), or the verification could not run"})
final class VerifyCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(VerifyCommand.class);

    @Option(names = "--sqlite-database", paramLabel = "FILE", description = "The snapshot that was ported. Required.")
    Path sqliteDatabase;

    @Option(names = "--postgres-config", paramLabel = "YAML",
            description = "The config the port was given with --postgres-config. Required.")
    Path postgresConfig;

    @Option(names = "--report", paramLabel = "FILE",
            description = "A report of the port (repeat for the reports of several runs): the rows PostgreSQL"
                    + " refused during the port are expected missing. Rows the port's value policy rejects or"
                    + " repairs need no report.")
    List<Path> reports = new ArrayList<>();

    @Option(names = "--jobs", paramLabel = "N", defaultValue = "3",
            description = "Tables compared at the same time (default: ${DEFAULT-VALUE}).")
    int jobs;

    @Option(names = "--log-file", paramLabel = "FILE", defaultValue = "port-synapse.log",
            description = "The log, appended to (default: ${DEFAULT-VALUE}).")
    Path logFile;

    @Option(names = "-v", description = "Verbose: DEBUG lines in the log file, and stack traces with errors.")
    boolean verbose;

    private final PrintWriter out;
    private final Map<String, String> environment;

    private VerifyCommand(PrintWriter out, Map<String, String> environment) {
        this.out = out;
        this.environment = environment;
    }

    /** Runs {@code verify}'s command line (without the word verify); returns the exit code. */
    static int run(PrintWriter out, PrintWriter err, Map<String, String> environment, List<String> args) {
        VerifyCommand command = new VerifyCommand(out, environment);
        CommandLine cli = new CommandLine(command);
        cli.setOut(out);
        cli.setErr(err);
        Optional<String> badArgument = new ArgumentCheck(cli.getCommandSpec()).firstProblem(args);
        if (badArgument.isPresent()) {
            return badLine(err, badArgument.get());
        }
        cli.setParameterExceptionHandler((e, a) -> badLine(err, Messages.oneLine(e.getMessage())));
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            PortCommand.printError(err, e, command.verbose);
            return PortCommand.exitCode(e);
        });
        return cli.execute(args.toArray(String[]::new));
    }

    private static int badLine(PrintWriter err, String problem) {
        err.println("error: " + problem + "; run 'synapse-port-db verify --help' for the options");
        err.flush();
        return ExitCodes.CONFIG_MALFORMED;
    }

    @Override
    public Integer call() {
        ArgumentCheck.atLeastOne(this, "--jobs", jobs);
        ArgumentCheck.requireDatabases(this, sqliteDatabase, postgresConfig);
        for (Path report : reports) {
            if (!Files.isReadable(report)) {
                throw new PortException(FailureReason.CONFIG_MALFORMED, "--report " + report
                        + ": no such file, or not readable");
            }
        }
        Path log = OutputFiles.checkWritable(logFile, "log file", "--log-file", true);
        try (RunLog ignored = RunLog.open(log, verbose)) {
            LOG.info("===== {} verify started: --sqlite-database {} --postgres-config {} --jobs {} =====",
                    new PortCommand.Version().getVersion()[0], sqliteDatabase, postgresConfig, jobs);
            try {
                Verdict verdict = new StandaloneVerification(SynapseRules.load(), phase -> LOG.info("{}", phase))
                        .run(sqliteDatabase, new ConfigLoader(environment).load(postgresConfig), jobs,
                                RejectedRows.read(reports));
                verdict.lines().forEach(line -> LOG.info("verify: {}", line));
                verdict.lines().forEach(out::println);
                out.flush();
                if (!verdict.ok()) {
                    throw new PortException(FailureReason.PORT_FAILED, verdict.failure());
                }
                LOG.info("===== verify finished: exit 0 =====");
                return ExitCodes.OK;
            } catch (RuntimeException e) {
                LOG.error("the verification failed: {}", Messages.oneLine(e.getMessage()), e);
                LOG.info("===== verify finished: exit {} =====", PortCommand.exitCode(e));
                throw e;
            }
        }
    }
}
