package dev.synport.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.synport.testing.Cli;
import dev.synport.testing.ConfigExample;
import dev.synport.testing.ConnectionProbe;
import dev.synport.testing.EmbeddedPostgresServer;
import dev.synport.testing.Fixtures;
import dev.synport.testing.JarRun;
import dev.synport.testing.PseudoTerminal;
import dev.synport.testing.SqliteCounts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Connecting over the server's Unix socket, as a homeserver on the same machine does: peer
 * authentication for real (a role named after the OS user running the tests and a
 * {@code local ... peer} line), trust, a password from the password file, and the advice lines
 * for a peer mismatch, a missing socket and a role that may not create tables.
 */
class SocketConnectionIT {
    private static final String OS_USER = System.getProperty("user.name");
    private static final Path SMALL = Fixtures.file("synapse-v72-small.db");
    private static final Path EMPTY = Fixtures.file("synapse-v72-empty.db");

    private static EmbeddedPostgresServer server;

    @TempDir
    Path dir;

    @BeforeAll
    static void startServer() throws SQLException {
        // also in /tmp, one of the directories searched when no host is given
        server = EmbeddedPostgresServer.start(Map.of("unix_socket_directories", "/tmp"), List.of(
                "local all \"" + OS_USER + "\" peer map=os_users",
                "local all socket_trustee trust",
                "local all socket_limited trust",
                "local all peer_stranger peer"),
                // Where the server runs in a user namespace of its own (as the embedded one does on
                // machines that start it as root), the kernel shows it every user it has no mapping
                // for as the overflow user, nobody: map that too.
                List.of("os_users \"" + OS_USER + "\" \"" + OS_USER + "\"", "os_users nobody \"" + OS_USER + "\""));
        try (Connection c = server.connect("postgres"); Statement st = c.createStatement()) {
            st.execute("CREATE ROLE \"" + OS_USER + "\" LOGIN");
            st.execute("CREATE ROLE socket_trustee LOGIN");
            st.execute("CREATE ROLE socket_limited LOGIN");
            st.execute("CREATE ROLE peer_stranger LOGIN");
            st.execute("CREATE ROLE pgpass_user LOGIN PASSWORD 'from-the-pgpass:file'");
            st.execute("CREATE ROLE synapse_user LOGIN PASSWORD 'secretpassword'");
        }
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @Test
    void peerAuthenticationOverTheSocketPortsTheSample() throws Exception {
        createDatabase("peer_target", OS_USER);
        Path config = config(server.socketDirectory().toString(), OS_USER, "peer_target");

        Cli.Result result = port(SMALL, config, Map.of());

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.err()).as(result.toString()).isEmpty();
        Map<String, Long> expected = SqliteCounts.rows(SMALL);
        for (String table : List.of("events", "users", "rooms", "event_json", "state_events")) {
            assertThat(count("peer_target", table)).as(table).isEqualTo(expected.get(table)).isPositive();
        }
    }

    @Test
    void packagedJarPortsOverTheSocketWithPeerAuthentication() throws Exception {
        createDatabase("jar_target", OS_USER);
        Path config = config(server.socketDirectory().toString(), OS_USER, "jar_target");
        Path log = dir.resolve("jar.log");

        int exit = JarRun.run(log, "--sqlite-database", EMPTY.toString(), "--postgres-config", config.toString(),
                "--report", dir.resolve("report.jsonl").toString());

        assertThat(exit).as(Files.readString(log)).isZero();
        assertThat(tableOwner("jar_target", "events")).isEqualTo(OS_USER);
    }

    @Test
    void launcherWithTheFullScreenViewOnAPseudoTerminalPortsOverThePeerSocket() throws Exception {
        assumeTrue(PseudoTerminal.available(), "util-linux script is not installed");
        createDatabase("curses_target", OS_USER);
        Path config = config(server.socketDirectory().toString(), OS_USER, "curses_target");
        Path launcher = Path.of("bin", "synapse-port-db").toAbsolutePath();

        PseudoTerminal.Result run = PseudoTerminal.run(100, 30, dir, List.of(launcher.toString(), "--curses",
                "--sqlite-database", SMALL.toString(), "--postgres-config", config.toString()));

        assertThat(run.exitCode()).as(run.toString()).isZero();
        // the view drew its overall line and table lines, then left the summary in the scrollback
        assertThat(run.screen()).as(run.toString()).contains("rows/s").contains("event_json")
                .contains("Port finished in").contains("The log of this run is in "
                        + dir.resolve("port-synapse.log").toRealPath());
        assertThat(run.screen()).as(run.toString()).doesNotContain("error:").doesNotContain("warning:");
        Map<String, Long> expected = SqliteCounts.rows(SMALL);
        for (String table : List.of("events", "users", "rooms", "event_json")) {
            assertThat(count("curses_target", table)).as(table).isEqualTo(expected.get(table)).isPositive();
        }
    }

    @Test
    void trustOverTheSocketPortsAnEmptySnapshot() throws Exception {
        createDatabase("trust_target", "socket_trustee");
        Path config = config(server.socketDirectory() + "/", "socket_trustee", "trust_target");

        Cli.Result result = port(EMPTY, config, Map.of());

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(count("trust_target", "schema_version")).isEqualTo(1);
        assertThat(tableOwner("trust_target", "events")).isEqualTo("socket_trustee");
    }

    @Test
    void passwordFromPgpassfileOverTheSocket() throws Exception {
        createDatabase("pgpass_target", "pgpass_user");
        Path passFile = dir.resolve("pgpass");
        Files.writeString(passFile, "# host:port:database:user:password\n"
                + "*:*:other_db:pgpass_user:wrong\n"
                + server.socketDirectory() + ":" + server.port() + ":pgpass_target:pgpass_user:from-the-pgpass\\:file\n");
        Files.setPosixFilePermissions(passFile, PosixFilePermissions.fromString("rw-------"));
        Path config = config(server.socketDirectory().toString(), "pgpass_user", "pgpass_target");

        Cli.Result result = port(EMPTY, config, Map.of("PGPASSFILE", passFile.toString()));

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(tableOwner("pgpass_target", "events")).isEqualTo("pgpass_user");
    }

    @Test
    void peerMismatchSaysWhichOsUserAndRoleAndWhatPgHbaLineWouldDo() throws Exception {
        createDatabase("stranger_target", "peer_stranger");
        Path config = config(server.socketDirectory().toString(), "peer_stranger", "stranger_target");

        Cli.Result result = port(EMPTY, config, Map.of());

        assertThat(result.errorLine(5)).isEqualTo("error: PostgreSQL at " + server.socketDirectory() + ":"
                + server.port() + " refused peer authentication: this program runs as OS user '" + OS_USER
                + "' and asked for role 'peer_stranger'; run it as the OS user named like the role (sudo -u"
                + " peer_stranger ...), or map the OS user to the role in pg_ident.conf ('local stranger_target"
                + " peer_stranger peer map=synapse' in pg_hba.conf and 'synapse " + OS_USER + " peer_stranger' in"
                + " pg_ident.conf), or give the role a password ('local stranger_target peer_stranger scram-sha-256'"
                + " in pg_hba.conf above the peer line) and set database.args.password; then reload PostgreSQL");
        assertThat(count("stranger_target", "pg_catalog.pg_tables WHERE schemaname = 'public' AND true")).isZero();
    }

    @Test
    void socketWithoutAServerNamesTheSocketFile() throws Exception {
        Path config = config(server.socketDirectory().toString(), OS_USER, "peer_target", server.port() + 1);

        Cli.Result result = port(EMPTY, config, Map.of());

        String socket = server.socketDirectory() + "/.s.PGSQL." + (server.port() + 1);
        assertThat(result.errorLine(5)).startsWith("error: cannot connect to PostgreSQL at "
                + server.socketDirectory() + ":" + (server.port() + 1) + ": no server listens on the socket " + socket
                + " (").endsWith("); check database.args.host (the socket directory, the server's"
                + " unix_socket_directories) and database.args.port, and that PostgreSQL is running");
    }

    @Test
    void roleWithoutCreateOnSchemaPublicIsToldWhichGrantOrOwnerIsNeeded() throws Exception {
        createDatabase("limited_target", "postgres");
        Path config = config(server.socketDirectory().toString(), "socket_limited", "limited_target");

        Cli.Result result = port(EMPTY, config, Map.of());

        assertThat(result.errorLine(5)).isEqualTo("error: PostgreSQL: role 'socket_limited' may not create tables"
                + " in schema public of database 'limited_target' (ERROR: permission denied for schema public); as a superuser, make the role the owner: ALTER DATABASE \"limited_target\" OWNER TO"
                + " \"socket_limited\"; and (connected to limited_target) ALTER SCHEMA public OWNER TO"
                + " \"socket_limited\"; or at least: GRANT CREATE, USAGE ON SCHEMA public TO \"socket_limited\"");
        assertThat(count("limited_target", "pg_catalog.pg_tables WHERE schemaname = 'public' AND true")).isZero();
    }

    @Test
    void sslmodeRequireAgainstAServerWithoutSslSaysWhatToChange() throws Exception {
        Path config = Files.writeString(dir.resolve("require.yaml"), "database:\n  name: psycopg2\n  args:\n"
                + "    user: postgres\n    database: postgres\n    host: localhost\n    port: " + server.port()
                + "\n    sslmode: require\n");

        Cli.Result result = port(EMPTY, config, Map.of());

        assertThat(result.errorLine(5)).isEqualTo("error: PostgreSQL at localhost:" + server.port() + " does not"
                + " accept SSL connections, and sslmode is 'require'; turn ssl on in the server's postgresql.conf, or"
                + " set database.args.sslmode to prefer (or disable) where the network is trusted");
    }

    @Test
    void socketExampleConnectsWithPeerAuthentication() throws Exception {
        createDatabase("socket_example", OS_USER);
        Path config = ConfigExample.adapted("homeserver-postgres-socket.yaml", Map.of("host",
                server.socketDirectory().toString(), "port", Integer.toString(server.port()), "user", OS_USER,
                "database", "socket_example"), dir);

        assertThat(ConnectionProbe.connect(config, Map.of()))
                .isEqualTo(new ConnectionProbe.Session(OS_USER, "socket_example", false, true));
    }

    @Test
    void tcpExampleConnectsWithItsPassword() throws Exception {
        createDatabase("tcp_example", "synapse_user");
        Path config = ConfigExample.adapted("homeserver-postgres.yaml", Map.of("port",
                Integer.toString(server.port()), "database", "tcp_example"), dir);

        assertThat(ConnectionProbe.connect(config, Map.of()))
                .isEqualTo(new ConnectionProbe.Session("synapse_user", "tcp_example", false, false));
    }

    @Test
    void pghostNamingASocketDirectoryIsUsed() throws Exception {
        createDatabase("pghost_socket", "socket_trustee");
        Path config = Files.writeString(dir.resolve("pghost.yaml"), "database:\n  name: psycopg2\n  args:\n"
                + "    user: socket_trustee\n    database: pghost_socket\n");
        ConnectionProbe.Session session = ConnectionProbe.connect(config,
                Map.of("PGHOST", server.socketDirectory().toString(), "PGPORT", Integer.toString(server.port())));
        assertThat(session).isEqualTo(new ConnectionProbe.Session("socket_trustee", "pghost_socket", false, true));
    }

    @Test
    void withoutAnyHostTheDefaultSocketIsUsed() throws Exception {
        createDatabase("default_socket", "socket_trustee");
        Path config = Files.writeString(dir.resolve("nohost.yaml"), "database:\n  name: psycopg2\n  args:\n"
                + "    user: socket_trustee\n    database: default_socket\n    port: " + server.port() + "\n");
        ConnectionProbe.Session session = ConnectionProbe.connect(config, Map.of());
        assertThat(session).isEqualTo(new ConnectionProbe.Session("socket_trustee", "default_socket", false, true));
    }

    @Test
    void hostListSendsEachHostItsOwnPasswordFileLine() throws Exception {
        createDatabase("pgpass_hosts", "pgpass_user");
        Path noServer = Files.createDirectory(dir.resolve("no-server-here"));
        Path passFile = dir.resolve("pgpass");
        Files.writeString(passFile, noServer + ":" + server.port() + ":pgpass_hosts:pgpass_user:for-the-first-host\n"
                + server.socketDirectory() + ":" + server.port() + ":pgpass_hosts:pgpass_user:from-the-pgpass\\:file\n");
        Files.setPosixFilePermissions(passFile, PosixFilePermissions.fromString("rw-------"));
        Path config = config(noServer + "," + server.socketDirectory(), "pgpass_user", "pgpass_hosts");

        Cli.Result result = port(EMPTY, config, Map.of("PGPASSFILE", passFile.toString()));

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(tableOwner("pgpass_hosts", "events")).isEqualTo("pgpass_user");
    }

    @Test
    void hostListIsTriedInOrderUntilAServerAnswers() throws Exception {
        createDatabase("host_list", "socket_trustee");
        Path config = config(dir.resolve("no-server-here") + "," + server.socketDirectory(), "socket_trustee",
                "host_list");
        assertThat(ConnectionProbe.connect(config, Map.of()))
                .isEqualTo(new ConnectionProbe.Session("socket_trustee", "host_list", false, true));
    }

    @Test
    void hostListWhereNoServerAnswersSaysWhatEachHostDid() throws Exception {
        Path empty = Files.createDirectory(dir.resolve("no-server-here"));
        int closed = server.port() + 1;
        Path config = config(empty + ",localhost", OS_USER, "peer_target", closed);

        Cli.Result result = port(EMPTY, config, Map.of());

        assertThat(result.errorLine(5)).startsWith("error: no host in database.args.host answered: cannot connect"
                + " to PostgreSQL at " + empty + ":" + closed + ": no server listens on the socket " + empty
                + "/.s.PGSQL." + closed + " (").endsWith("; then cannot connect to PostgreSQL at localhost:" + closed
                + ": the connection was refused; check database.args.host and database.args.port, and that"
                + " PostgreSQL is running and accepts TCP connections there");
    }

    private static void createDatabase(String name, String owner) throws SQLException {
        server.createDatabase(name);
        try (Connection c = server.connect("postgres"); Statement st = c.createStatement()) {
            st.execute("ALTER DATABASE \"" + name + "\" OWNER TO \"" + owner + "\"");
        }
    }

    private static long count(String database, String table) throws SQLException {
        try (Connection c = server.connect(database); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT count(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static String tableOwner(String database, String table) throws SQLException {
        try (Connection c = server.connect(database); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT tableowner FROM pg_tables WHERE tablename = '" + table + "'")) {
            assertThat(rs.next()).as(table).isTrue();
            return rs.getString(1);
        }
    }

    private Path config(String host, String user, String database) throws IOException {
        return config(host, user, database, server.port());
    }

    /** A homeserver config with no password: the socket and pg_hba.conf decide. */
    private Path config(String host, String user, String database, int port) throws IOException {
        return Files.writeString(dir.resolve(database + ".yaml"), "server_name: portdb.test\n"
                + "database:\n"
                + "  name: psycopg2\n"
                + "  args:\n"
                + "    user: " + user + "\n"
                + "    database: " + database + "\n"
                + "    host: " + host + "\n"
                + "    port: '" + port + "'\n");
    }

    private Cli.Result port(Path sqlite, Path config, Map<String, String> environment) {
        return Cli.run(environment, "--sqlite-database", sqlite.toString(), "--postgres-config", config.toString(),
                "--report", dir.resolve("report.jsonl").toString());
    }
}
