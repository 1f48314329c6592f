package dev.synport.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.synport.testing.Cli;
import dev.synport.testing.ConfigExample;
import dev.synport.testing.ConnectionProbe;
import dev.synport.testing.EmbeddedPostgresServer;
import dev.synport.testing.Fixtures;
import dev.synport.testing.TestCertificates;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * TLS against a real server whose certificate (for {@code localhost}) a self-signed CA made in
 * the test signed. The role {@code tls_user} may only connect over TLS (pg_hba.conf rejects it
 * otherwise), so every success here went through TLS; {@code tls_cert_user} needs a client
 * certificate ({@code hostssl ... cert}).
 */
class TlsConnectionIT {
    private static final Path EMPTY = Fixtures.file("synapse-v72-empty.db");
    private static final AtomicInteger COUNTER = new AtomicInteger();

    private static EmbeddedPostgresServer server;
    private static Path ca;
    private static Path otherCa;
    private static TestCertificates.Issued client;

    @TempDir
    static Path certs;

    @TempDir
    Path dir;

    @BeforeAll
    static void startServer() throws SQLException {
        TestCertificates authority = TestCertificates.authority("synport test CA");
        ca = authority.writeCa(certs.resolve("ca.crt"));
        otherCa = TestCertificates.authority("some other CA").writeCa(certs.resolve("other-ca.crt"));
        TestCertificates.Issued serverCert = authority.issue("localhost", List.of("localhost"), false, certs);
        client = authority.issue("tls_cert_user", List.of(), true, certs);
        server = EmbeddedPostgresServer.start(Map.of("ssl", "on",
                "ssl_cert_file", serverCert.certificate().toString(),
                "ssl_key_file", serverCert.key().toString(),
                "ssl_ca_file", ca.toString()), List.of(
                "hostssl all tls_cert_user 127.0.0.1/32 cert",
                "hostssl all tls_cert_user ::1/128 cert",
                "hostssl all tls_user 127.0.0.1/32 scram-sha-256",
                "hostssl all tls_user ::1/128 scram-sha-256",
                "host all tls_user 127.0.0.1/32 reject",
                "host all tls_user ::1/128 reject",
                "host all synapse_user 127.0.0.1/32 scram-sha-256",
                "host all synapse_user ::1/128 scram-sha-256"), List.of());
        try (Connection c = server.connect("postgres"); Statement st = c.createStatement()) {
            st.execute("CREATE ROLE tls_user LOGIN PASSWORD 'tls-secret'");
            st.execute("CREATE ROLE tls_cert_user LOGIN");
            st.execute("CREATE ROLE synapse_user LOGIN PASSWORD 'secretpassword'");
        }
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @Test
    void verifyFullWithTheRightCaPortsAnEmptySnapshot() throws Exception {
        String db = database("tls_user");
        Cli.Result result = port(config("localhost", db, "tls_user", "sslmode: verify-full", "sslrootcert: " + ca));

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(count(db, "schema_version")).isEqualTo(1);
    }

    @Test
    void verifyFullSessionIsEncrypted() throws Exception {
        String db = database("tls_user");
        ConnectionProbe.Session session = ConnectionProbe.connect(
                config("localhost", db, "tls_user", "sslmode: verify-full", "sslrootcert: " + ca), Map.of());
        assertThat(session).isEqualTo(new ConnectionProbe.Session("tls_user", db, true, false));
    }

    @Test
    void wrongCaIsRefusedWithOneLine() throws Exception {
        String db = database("tls_user");
        Cli.Result result = port(config("localhost", db, "tls_user", "sslmode: verify-full", "sslrootcert: " + otherCa));

        assertThat(result.errorLine(5)).startsWith("error: PostgreSQL at localhost:" + server.port()
                + ": the server's certificate is not signed by a CA in sslrootcert " + otherCa + " (")
                .endsWith("); give the CA certificate that signed the server's, or check that this is the right server");
        assertThat(tables(db)).isZero();
    }

    @Test
    void wrongHostNameIsRefusedUnderVerifyFull() throws Exception {
        String db = database("tls_user");
        Cli.Result result = port(config("127.0.0.1", db, "tls_user", "sslmode: verify-full", "sslrootcert: " + ca));

        assertThat(result.errorLine(5)).isEqualTo("error: PostgreSQL at 127.0.0.1:" + server.port()
                + ": the server's certificate does not name the host '127.0.0.1' (sslmode verify-full); set"
                + " database.args.host to a name the certificate carries, or sslmode to verify-ca to check only the CA");
        assertThat(tables(db)).isZero();
    }

    @Test
    void verifyCaChecksTheCaButNotTheHostName() throws Exception {
        String db = database("tls_user");
        assertThat(ConnectionProbe.connect(config("127.0.0.1", db, "tls_user", "sslmode: verify-ca",
                "sslrootcert: " + ca), Map.of()).ssl()).isTrue();
    }

    @Test
    void requireEncryptsWithoutARootCertificate() throws Exception {
        String db = database("tls_user");
        assertThat(ConnectionProbe.connect(config("127.0.0.1", db, "tls_user", "sslmode: require"),
                Map.of("HOME", dir.toString())).ssl()).isTrue();
    }

    @Test
    void pgsslmodeAndTheDefaultRootCertificateUnderHomeAreUsed() throws Exception {
        String db = database("tls_user");
        Files.createDirectories(dir.resolve(".postgresql"));
        Files.copy(ca, dir.resolve(".postgresql/root.crt"));
        assertThat(ConnectionProbe.connect(config("localhost", db, "tls_user"),
                Map.of("HOME", dir.toString(), "PGSSLMODE", "verify-full")).ssl()).isTrue();
        Files.copy(otherCa, dir.resolve(".postgresql/root.crt"), StandardCopyOption.REPLACE_EXISTING);
        Cli.Result result = Cli.run(Map.of("HOME", dir.toString(), "PGSSLMODE", "require"), "--sqlite-database",
                EMPTY.toString(), "--postgres-config", config("localhost", db, "tls_user").toString());
        assertThat(result.errorLine(5)).as("libpq checks the CA under require when root.crt exists")
                .contains("the server's certificate is not signed by a CA in sslrootcert "
                        + dir.resolve(".postgresql/root.crt"));
    }

    @Test
    void verifyFullWithoutARootCertificateIsRefusedBeforeConnecting() throws Exception {
        String db = database("tls_user");
        Cli.Result result = Cli.run(Map.of("HOME", dir.toString()), "--sqlite-database", EMPTY.toString(),
                "--postgres-config", config("localhost", db, "tls_user", "sslmode: verify-full").toString());
        assertThat(result.errorLine(2)).isEqualTo("error: database.args.sslmode is verify-full, which checks the"
                + " server's certificate, but there is no root certificate: set database.args.sslrootcert to the CA"
                + " certificate (PEM) that signed the server's, or put it at ~/.postgresql/root.crt, or use sslmode"
                + " require");
    }

    @Test
    void clientCertificateWithAPkcs1PemKeyIsAccepted() throws Exception {
        String db = database("tls_cert_user");
        assertThat(Files.readString(client.key())).startsWith("-----BEGIN RSA PRIVATE KEY-----");
        Cli.Result result = port(config("localhost", db, "tls_cert_user", "sslmode: verify-full",
                "sslrootcert: " + ca, "sslcert: " + client.certificate(), "sslkey: " + client.key()));

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(count(db, "schema_version")).isEqualTo(1);
    }

    @Test
    void withoutTheClientCertificateTheCertLineSaysWhatToSet() throws Exception {
        String db = database("tls_cert_user");
        Cli.Result result = port(config("localhost", db, "tls_cert_user", "sslmode: verify-full",
                "sslrootcert: " + ca));
        assertThat(result.errorLine(5)).startsWith("error: PostgreSQL at localhost:" + server.port()
                + " wants a client certificate for role 'tls_cert_user' (").endsWith("); set database.args.sslcert"
                + " and sslkey to a certificate whose CN is tls_cert_user, signed by a CA in the server's ssl_ca_file");
    }

    /** synapse_user may connect with or without TLS; each mode decides as libpq's does. */
    @ParameterizedTest
    @CsvSource({"disable,false", "allow,false", "prefer,true", "require,true", "verify-ca,true", "verify-full,true"})
    void eachSslmodeEncryptsOrNotAsLibpqDoes(String mode, boolean encrypted) throws Exception {
        String db = database("synapse_user");
        Path config = config("localhost", db, "synapse_user", "password: secretpassword", "sslmode: " + mode,
                "sslrootcert: " + ca);
        assertThat(ConnectionProbe.connect(config, Map.of("HOME", dir.toString())))
                .isEqualTo(new ConnectionProbe.Session("synapse_user", db, encrypted, false));
    }

    @Test
    void tlsExampleConnectsWithItsCertificatePathsReplaced() throws Exception {
        String db = database("synapse_user");
        Path config = ConfigExample.adapted("homeserver-postgres-tls.yaml", Map.of("host", "localhost",
                "port", Integer.toString(server.port()), "database", db, "sslrootcert", ca.toString()), dir);
        assertThat(ConnectionProbe.connect(config, Map.of()))
                .isEqualTo(new ConnectionProbe.Session("synapse_user", db, true, false));
    }

    private static String database(String owner) throws SQLException {
        String name = "tls_" + COUNTER.incrementAndGet();
        server.createDatabase(name);
        try (Connection c = server.connect("postgres"); Statement st = c.createStatement()) {
            st.execute("ALTER DATABASE " + name + " OWNER TO " + owner);
        }
        return name;
    }

    private Path config(String host, String database, String user, String... more) throws IOException {
        StringBuilder yaml = new StringBuilder("server_name: portdb.test\ndatabase:\n  name: psycopg2\n  args:\n"
                + "    user: " + user + "\n    database: " + database + "\n    host: " + host + "\n    port: "
                + server.port() + "\n");
        if (user.equals("tls_user")) {
            yaml.append("    password: tls-secret\n");
        }
        for (String line : more) {
            yaml.append("    ").append(line).append('\n');
        }
        return Files.writeString(dir.resolve(database + "-" + COUNTER.incrementAndGet() + ".yaml"), yaml);
    }

    private Cli.Result port(Path config) {
        return Cli.run(Map.of("HOME", dir.toString()), "--sqlite-database", EMPTY.toString(), "--postgres-config",
                config.toString(), "--report", dir.resolve("report.jsonl").toString());
    }

    private static long count(String database, String table) throws SQLException {
        try (Connection c = server.connect(database); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT count(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static long tables(String database) throws SQLException {
        return count(database, "pg_tables WHERE schemaname = 'public'");
    }
}
