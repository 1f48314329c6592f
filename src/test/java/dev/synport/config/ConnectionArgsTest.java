package dev.synport.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.synport.FailureReason;
import dev.synport.PortException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How the loader resolves where and how to connect, as libpq does: host and port lists, the
 * default socket (with an injected file probe), the password's sources in libpq's order, and
 * libpq's default certificate files under {@code ~/.postgresql/}.
 */
class ConnectionArgsTest {
    @TempDir
    Path dir;

    private LoadedConfig load(Map<String, String> environment, Set<Path> existing, String... argLines)
            throws IOException {
        StringBuilder yaml = new StringBuilder("database:\n  name: psycopg2\n  args:\n    user: synapse\n"
                + "    database: synapse\n");
        for (String line : argLines) {
            yaml.append("    ").append(line).append('\n');
        }
        Path file = Files.writeString(dir.resolve("homeserver-" + System.nanoTime() + ".yaml"), yaml);
        return new ConfigLoader(environment, existing::contains).load(file);
    }

    private DatabaseSettings settings(String... argLines) throws IOException {
        return load(Map.of(), Set.of(), argLines).settings();
    }

    private PortException failure(Map<String, String> environment, String... argLines) {
        return catchThrowableOfType(PortException.class, () -> load(environment, Set.of(), argLines));
    }

    // ---- hosts and ports

    @Test
    void hostListWithOnePortUsesItForEveryHost() throws IOException {
        assertThat(settings("host: db1.example.test,db2.example.test", "port: 6432").endpoints()).containsExactly(
                new Endpoint("db1.example.test", 6432), new Endpoint("db2.example.test", 6432));
    }

    @Test
    void hostListWithAPortListPairsThem() throws IOException {
        DatabaseSettings s = settings("host: 'db1, db2,/run/postgresql'", "port: '5433,5434,5435'");
        assertThat(s.endpoints()).containsExactly(new Endpoint("db1", 5433), new Endpoint("db2", 5434),
                new Endpoint("/run/postgresql", 5435));
        assertThat(s.describe()).isEqualTo("synapse@db1:5433,db2:5434,/run/postgresql:5435/synapse");
    }

    @Test
    void portListThatDoesNotMatchTheHostsIsRefused() {
        PortException e = failure(Map.of(), "host: a,b,c", "port: 5432,5433");
        assertThat(e.reason()).isEqualTo(FailureReason.CONFIG_MALFORMED);
        assertThat(e.getMessage()).isEqualTo("database.args.port: 2 ports for 3 hosts in database.args.host;"
                + " give one port, or one for each host");
        assertThat(failure(Map.of("PGHOST", "a,b"), "port: 1,2,3").getMessage()).isEqualTo("database.args.port: 3"
                + " ports for 2 hosts in environment variable PGHOST; give one port, or one for each host");
    }

    @Test
    void portListFromPgportIsNamedInErrors() {
        assertThat(failure(Map.of("PGPORT", "5432,x")).getMessage())
                .isEqualTo("environment variable PGPORT: expected a port number 1-65535, got \"x\"");
    }

    @Test
    void portAsAStringIsANumber() throws IOException {
        assertThat(settings("host: /var/run/postgresql", "port: '5433'").endpoints())
                .containsExactly(new Endpoint("/var/run/postgresql", 5433));
        assertThat(new Endpoint("/var/run/postgresql", 5433).socketPath()).isEqualTo("/var/run/postgresql/.s.PGSQL.5433");
        assertThat(new Endpoint("/tmp/", 5433).socketPath()).isEqualTo("/tmp/.s.PGSQL.5433");
    }

    // ---- no host: the default socket

    @Test
    void withoutHostTheFirstDefaultSocketDirectoryHoldingTheSocketIsUsed() throws IOException {
        assertThat(load(Map.of(), Set.of(Path.of("/tmp/.s.PGSQL.5432"), Path.of("/run/postgresql/.s.PGSQL.5432")))
                .settings().endpoints()).containsExactly(new Endpoint("/run/postgresql", 5432));
        assertThat(load(Map.of(), Set.of(Path.of("/var/run/postgresql/.s.PGSQL.5433"),
                Path.of("/tmp/.s.PGSQL.5433")), "port: 5433").settings().endpoints())
                .containsExactly(new Endpoint("/var/run/postgresql", 5433));
        assertThat(load(Map.of(), Set.of(Path.of("/tmp/.s.PGSQL.5432"))).settings().endpoints())
                .containsExactly(new Endpoint("/tmp", 5432));
    }

    @Test
    void withoutHostAndWithoutASocketFileTcpToLocalhostIsUsed() throws IOException {
        assertThat(load(Map.of(), Set.of(Path.of("/var/run/postgresql/.s.PGSQL.5432")), "port: 6000")
                .settings().endpoints()).containsExactly(new Endpoint("localhost", 6000));
    }

    @Test
    void pghostWinsOverTheDefaultSocketAndAnEmptyListEntryIsTheDefault() throws IOException {
        Set<Path> socket = Set.of(Path.of("/var/run/postgresql/.s.PGSQL.5432"));
        assertThat(load(Map.of("PGHOST", "db.example.test"), socket).settings().endpoints())
                .containsExactly(new Endpoint("db.example.test", 5432));
        assertThat(load(Map.of(), socket, "host: 'db.example.test,'").settings().endpoints())
                .containsExactly(new Endpoint("db.example.test", 5432), new Endpoint("/var/run/postgresql", 5432));
    }

    // ---- the password: database.args, then PGPASSWORD, then the password file

    @Test
    void passwordPrecedenceIsArgsThenPgpasswordThenThePasswordFile() throws IOException {
        Path pgpass = passFile(dir.resolve("pgpass"), "*:*:*:*:from-file");
        Map<String, String> both = Map.of("PGPASSWORD", "from-env", "PGPASSFILE", pgpass.toString());
        assertThat(firstPassword(load(both, Set.of(), "password: from-yaml"))).contains("from-yaml");
        assertThat(firstPassword(load(both, Set.of()))).contains("from-env");
        assertThat(firstPassword(load(Map.of("PGPASSFILE", pgpass.toString()), Set.of()))).contains("from-file");
    }

    @Test
    void passfileKeyWinsOverPgpassfileWhichWinsOverHomePgpass() throws IOException {
        Path home = Files.createDirectory(dir.resolve("home"));
        passFile(home.resolve(".pgpass"), "*:*:*:*:from-home");
        Path env = passFile(dir.resolve("env-pgpass"), "*:*:*:*:from-pgpassfile");
        Path key = passFile(dir.resolve("key-pgpass"), "*:*:*:*:from-passfile-key");
        Map<String, String> environment = Map.of("HOME", home.toString(), "PGPASSFILE", env.toString());
        assertThat(firstPassword(load(environment, Set.of(), "passfile: " + key))).contains("from-passfile-key");
        assertThat(firstPassword(load(environment, Set.of()))).contains("from-pgpassfile");
        assertThat(firstPassword(load(Map.of("HOME", home.toString()), Set.of()))).contains("from-home");
    }

    @Test
    void passwordFileIsMatchedOnHostPortDatabaseAndUserAsGiven() throws IOException {
        Path pgpass = passFile(dir.resolve("pgpass"), "db.example.test:5432:synapse:synapse:tcp",
                "/srv/pg:5432:synapse:synapse:socket", "localhost:5432:synapse:synapse:default-socket",
                "db2.example.test:5433:*:*:second-host");
        Map<String, String> env = Map.of("PGPASSFILE", pgpass.toString());
        assertThat(firstPassword(load(env, Set.of(), "host: db.example.test"))).contains("tcp");
        assertThat(firstPassword(load(env, Set.of(), "host: /srv/pg"))).contains("socket");
        assertThat(firstPassword(load(env, Set.of(Path.of("/var/run/postgresql/.s.PGSQL.5432")))))
                .as("libpq looks up localhost for the default socket directory").contains("default-socket");
        DatabaseSettings twoHosts = load(env, Set.of(), "host: db.example.test,db2.example.test", "port: 5432,5433")
                .settings();
        assertThat(twoHosts.endpoints()).extracting(twoHosts::passwordFor)
                .as("each host its own line, as libpq looks them up").containsExactly(Optional.of("tcp"), Optional.of("second-host"));
        DatabaseSettings secondOnly = load(env, Set.of(), "host: nowhere,db2.example.test", "port: 5432,5433").settings();
        assertThat(secondOnly.endpoints()).extracting(secondOnly::passwordFor)
                .containsExactly(Optional.empty(), Optional.of("second-host"));
        assertThat(firstPassword(load(env, Set.of(), "host: db.example.test", "port: 5439"))).isEmpty();
    }

    @Test
    void passwordFileReadableByOthersIsIgnoredWithAWarning() throws IOException {
        Path pgpass = passFile(dir.resolve("pgpass"), "*:*:*:*:leaked");
        Files.setPosixFilePermissions(pgpass, PosixFilePermissions.fromString("rw-r--r--"));
        LoadedConfig config = load(Map.of("PGPASSFILE", pgpass.toString()), Set.of(), "host: h1,h2");
        assertThat(firstPassword(config)).isEmpty();
        assertThat(config.warnings()).as("once for both hosts").containsExactly("password file " + pgpass
                + " has group or world access;"
                + " permissions should be u=rw (0600) or less; ignoring it (fix with: chmod 0600 " + pgpass + ")");
    }

    @Test
    void missingPasswordFileIsNoPasswordAndNoWarning() throws IOException {
        LoadedConfig config = load(Map.of("PGPASSFILE", dir.resolve("none").toString()), Set.of());
        assertThat(firstPassword(config)).isEmpty();
        assertThat(config.warnings()).isEmpty();
    }

    // ---- TLS files

    @Test
    void certificateFilesDefaultToThoseUnderHomeDotPostgresqlWhenTheyExist() throws IOException {
        Path home = dir.resolve("home");
        Path pg = home.resolve(".postgresql");
        Set<Path> existing = Set.of(pg.resolve("root.crt"), pg.resolve("postgresql.crt"), pg.resolve("postgresql.key"));
        assertThat(load(Map.of("HOME", home.toString()), existing).settings().ssl()).isEqualTo(
                new DatabaseSettings.SslSettings(Optional.empty(), Optional.of(pg.resolve("root.crt").toString()),
                        Optional.of(pg.resolve("postgresql.crt").toString()),
                        Optional.of(pg.resolve("postgresql.key").toString())));
        assertThat(load(Map.of("HOME", home.toString()), Set.of()).settings().ssl())
                .isEqualTo(DatabaseSettings.SslSettings.none());
        assertThat(load(Map.of("HOME", home.toString()), existing, "sslrootcert: /etc/ca.pem").settings().ssl()
                .rootCert()).contains("/etc/ca.pem");
    }

    private static Path passFile(Path file, String... lines) throws IOException {
        Files.write(file, List.of(lines));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return file;
    }

    /** The password the first endpoint is sent. */
    private static Optional<String> firstPassword(LoadedConfig config) {
        return config.settings().passwordFor(config.settings().endpoints().get(0));
    }
}
