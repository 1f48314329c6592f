package dev.synport.demo;

import dev.synport.testing.Fixtures;
import dev.synport.testing.PostgresServer;
import dev.synport.testing.Target;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The README's first command: ports the sample Synapse database (the shared fixture
 * {@code synapse-v72-small.db}, or the SQLite file given as the first argument) with the built
 * jar, run as a separate process exactly as a user runs it, into a Synapse-prepared database
 * on an embedded PostgreSQL (or on the server SYNPORT_TEST_PG names), then runs it a second
 * time, as the incremental step of a real migration would.
 */
public final class Demo {
    private Demo() {}

    public static void main(String[] args) throws Exception {
        Path sqlite = args.length > 0 ? Path.of(args[0]) : Fixtures.file("synapse-v72-small.db");
        Path jar = Path.of("target", "synapse-port-db.jar").toAbsolutePath();
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: run mvn -B -q -DskipTests package first");
        }
        Path work = Files.createDirectories(Path.of("target", "demo").toAbsolutePath());
        try (PostgresServer server = PostgresServer.start()) {
            System.out.println("== PostgreSQL running on " + server.host() + ":" + server.port()
                    + "; preparing database 'synapse' as Synapse 1.66 would (pg-v72-synapse-init.sql)");
            Target target = Target.create(server, "synapse", "pg-v72-synapse-init.sql", work);
            int first = port(jar, sqlite, target, work);
            int second = first == 0 ? port(jar, sqlite, target, work) : first;
            try (Connection c = target.connect(); Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM users),"
                            + " (SELECT count(*) FROM rooms), (SELECT count(*) FROM event_search)")) {
                rs.next();
                System.out.printf("== In PostgreSQL now: %d events, %d users, %d rooms, %d search entries%n",
                        rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4));
            }
            if (second != 0) {
                System.exit(second);
            }
        }
    }

    private static int port(Path jar, Path sqlite, Target target, Path work) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar.toString(), "--sqlite-database", sqlite.toString(),
                "--postgres-config", target.config().toString(),
                "--report", work.resolve("report.jsonl").toString()));
        System.out.println("== $ synapse-port-db --sqlite-database " + sqlite + " --postgres-config " + target.config());
        Process p = new ProcessBuilder(command).inheritIO().start();
        int code = p.waitFor();
        System.out.println("== exit code " + code);
        return code;
    }
}
