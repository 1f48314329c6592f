package dev.synport.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.synport.FailureReason;
import dev.synport.PortException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The database section of a homeserver config: every key, the libpq fallbacks, and every error. */
class ConfigLoaderTest {
    private static final String SECRET = "s3cretPw";

    @TempDir
    Path dir;

    private Path write(String yaml) throws IOException {
        Path file = Files.createTempFile(dir, "homeserver", ".yaml");
        Files.writeString(file, yaml);
        return file;
    }

    private static String args(String... lines) {
        StringBuilder yaml = new StringBuilder("server_name: example.test\ndatabase:\n  name: psycopg2\n  args:\n");
        for (String line : lines) {
            yaml.append("    ").append(line).append('\n');
        }
        return yaml.toString();
    }

    private LoadedConfig load(String yaml) throws IOException {
        return load(yaml, Map.of());
    }

    private LoadedConfig load(String yaml, Map<String, String> environment) throws IOException {
        return new ConfigLoader(environment).load(write(yaml));
    }

    private PortException failure(String yaml) throws IOException {
        return failure(yaml, Map.of());
    }

    private PortException failure(String yaml, Map<String, String> environment) throws IOException {
        Path file = write(yaml);
        return catchThrowableOfType(PortException.class, () -> new ConfigLoader(environment).load(file));
    }

    /** The message without the temporary file's name, for exact comparisons. */
    private static String message(PortException e) {
        return e.getMessage().replaceAll("config file \\S+\\.yaml", "config file F");
    }

    // ---- every key of database.args

    @Test
    void readsEveryConnectionKeyOfDatabaseArgs() throws IOException {
        LoadedConfig config = load(args("user: synapse_user", "password: " + SECRET, "database: synapse",
                "host: db.example.test", "port: 6432", "sslmode: verify-full", "sslrootcert: /etc/ssl/root.crt",
                "sslcert: /etc/ssl/client.crt", "sslkey: /etc/ssl/client.key", "connect_timeout: 7",
                "application_name: porting", "cp_min: 2", "cp_max: 9", "keepalives: 1", "keepalives_idle: 10",
                "keepalives_interval: 11", "keepalives_count: 12"));

        DatabaseSettings s = config.settings();
        assertThat(s.connector()).isEqualTo("psycopg2");
        assertThat(s.user()).isEqualTo("synapse_user");
        assertThat(s.password()).contains(SECRET);
        assertThat(s.database()).isEqualTo("synapse");
        assertThat(s.host()).isEqualTo("db.example.test");
        assertThat(s.port()).isEqualTo(6432);
        assertThat(s.ssl()).isEqualTo(new DatabaseSettings.SslSettings(Optional.of("verify-full"),
                Optional.of("/etc/ssl/root.crt"), Optional.of("/etc/ssl/client.crt"), Optional.of("/etc/ssl/client.key")));
        assertThat(s.connectTimeoutSeconds()).contains(7);
        assertThat(s.applicationName()).isEqualTo("porting");
        assertThat(s.pool()).isEqualTo(new DatabaseSettings.PoolSize(2, 9));
        assertThat(s.keepalives()).containsExactlyInAnyOrderEntriesOf(Map.of("keepalives", "1",
                "keepalives_idle", "10", "keepalives_interval", "11", "keepalives_count", "12"));
        assertThat(s.isUnixSocket()).isFalse();
        assertThat(config.allowUnsafeLocale()).isFalse();
        assertThat(config.warnings()).isEmpty();
    }

    @Test
    void dbnameIsTheSameAsDatabase() throws IOException {
        assertThat(load(args("user: u", "dbname: synapse")).settings().database()).isEqualTo("synapse");
        assertThat(load(args("user: u", "dbname: synapse", "database: synapse")).settings().database())
                .isEqualTo("synapse");
    }

    @Test
    void databaseAndDbnameNamingDifferentDatabasesIsRefused() throws IOException {
        PortException e = failure(args("database: one", "dbname: two"));
        assertThat(e.reason()).isEqualTo(FailureReason.CONFIG_MALFORMED);
        assertThat(e.getMessage()).isEqualTo("database.args: 'database' and 'dbname' name different databases");
    }

    @Test
    void portMayBeAnIntegerOrAString() throws IOException {
        assertThat(load(args("port: 6432")).settings().port()).isEqualTo(6432);
        assertThat(load(args("port: '6433'")).settings().port()).isEqualTo(6433);
        assertThat(load(args("port: \" 6434 \"")).settings().port()).isEqualTo(6434);
    }

    @Test
    void numbersGivenAsStringsAreAcceptedForEveryIntegerKey() throws IOException {
        DatabaseSettings s = load(args("connect_timeout: '5'", "cp_min: '3'", "cp_max: '4'",
                "keepalives_idle: '30'")).settings();
        assertThat(s.connectTimeoutSeconds()).contains(5);
        assertThat(s.pool()).isEqualTo(new DatabaseSettings.PoolSize(3, 4));
        assertThat(s.keepalives()).containsEntry("keepalives_idle", "30");
    }

    @Test
    void numericUserAndDatabaseNamesAreReadAsText() throws IOException {
        DatabaseSettings s = load(args("user: 1234", "database: 5678", "password: 42")).settings();
        assertThat(s.user()).isEqualTo("1234");
        assertThat(s.database()).isEqualTo("5678");
        assertThat(s.password()).contains("42");
    }

    @Test
    void hostStartingWithASlashIsAUnixSocketDirectory() throws IOException {
        assertThat(load(args("host: /var/run/postgresql")).settings().isUnixSocket()).isTrue();
    }

    @Test
    void withoutArgsTheDefaultsAreLibpqs() throws IOException {
        DatabaseSettings s = load("database:\n  name: psycopg2\n").settings();
        String osUser = System.getProperty("user.name", "postgres");
        assertThat(s.user()).isEqualTo(osUser);
        assertThat(s.database()).isEqualTo(osUser);
        assertThat(s.host()).isEqualTo("localhost");
        assertThat(s.port()).isEqualTo(5432);
        assertThat(s.password()).isEmpty();
        assertThat(s.ssl()).isEqualTo(DatabaseSettings.SslSettings.none());
        assertThat(s.connectTimeoutSeconds()).isEmpty();
        assertThat(s.applicationName()).isEqualTo("synapse-port-db");
        assertThat(s.pool()).isEqualTo(new DatabaseSettings.PoolSize(1, 5));
        assertThat(s.keepalives()).isEmpty();
    }

    @Test
    void databaseDefaultsToTheUserName() throws IOException {
        assertThat(load(args("user: alice")).settings().database()).isEqualTo("alice");
    }

    @Test
    void cpMaxDefaultsToAtLeastCpMin() throws IOException {
        assertThat(load(args("cp_min: 8")).settings().pool()).isEqualTo(new DatabaseSettings.PoolSize(8, 8));
        assertThat(load(args("cp_max: 2")).settings().pool()).isEqualTo(new DatabaseSettings.PoolSize(1, 2));
    }

    @Test
    void psycopgConnectorIsAcceptedToo() throws IOException {
        assertThat(load("database:\n  name: psycopg\n  args:\n    user: u\n").settings().connector())
                .isEqualTo("psycopg");
    }

    @Test
    void twistedPoolKeysAreIgnoredWithoutWarning() throws IOException {
        assertThat(load(args("cp_reconnect: true", "cp_noisy: false", "cp_openfun: x")).warnings()).isEmpty();
    }

    @Test
    void allowUnsafeLocaleIsRead() throws IOException {
        assertThat(load("database:\n  name: psycopg2\n  allow_unsafe_locale: true\n").allowUnsafeLocale()).isTrue();
        assertThat(load("database:\n  name: psycopg2\n  allow_unsafe_locale: false\n").allowUnsafeLocale()).isFalse();
    }

    // ---- environment fallbacks

    @Test
    void missingKeysFallBackToLibpqEnvironmentVariables() throws IOException {
        Map<String, String> env = Map.ofEntries(Map.entry("PGHOST", "env-host"), Map.entry("PGPORT", "6543"),
                Map.entry("PGUSER", "env_user"), Map.entry("PGPASSWORD", SECRET), Map.entry("PGDATABASE", "env_db"),
                Map.entry("PGSSLMODE", "verify-ca"), Map.entry("PGSSLROOTCERT", "/env/root.crt"),
                Map.entry("PGSSLCERT", "/env/client.crt"), Map.entry("PGSSLKEY", "/env/client.key"),
                Map.entry("PGCONNECT_TIMEOUT", "9"), Map.entry("PGAPPNAME", "env-app"));
        DatabaseSettings s = load("database:\n  name: psycopg2\n", env).settings();
        assertThat(s.host()).isEqualTo("env-host");
        assertThat(s.port()).isEqualTo(6543);
        assertThat(s.user()).isEqualTo("env_user");
        assertThat(s.password()).contains(SECRET);
        assertThat(s.database()).isEqualTo("env_db");
        assertThat(s.ssl()).isEqualTo(new DatabaseSettings.SslSettings(Optional.of("verify-ca"),
                Optional.of("/env/root.crt"), Optional.of("/env/client.crt"), Optional.of("/env/client.key")));
        assertThat(s.connectTimeoutSeconds()).contains(9);
        assertThat(s.applicationName()).isEqualTo("env-app");
    }

    @Test
    void databaseArgsWinOverTheEnvironment() throws IOException {
        Map<String, String> env = Map.of("PGHOST", "env-host", "PGPORT", "6543", "PGUSER", "env_user",
                "PGPASSWORD", "env-password", "PGDATABASE", "env_db", "PGSSLMODE", "disable");
        DatabaseSettings s = load(args("host: yaml-host", "port: 5433", "user: yaml_user", "password: " + SECRET,
                "dbname: yaml_db", "sslmode: require"), env).settings();
        assertThat(s.describe()).isEqualTo("yaml_user@yaml-host:5433/yaml_db");
        assertThat(s.password()).contains(SECRET);
        assertThat(s.ssl().mode()).contains("require");
    }

    @Test
    void pgdatabaseIsUsedBeforeTheUserNameButAfterDbname() throws IOException {
        assertThat(load(args("user: u"), Map.of("PGDATABASE", "env_db")).settings().database()).isEqualTo("env_db");
        assertThat(load(args("user: u", "dbname: d"), Map.of("PGDATABASE", "env_db")).settings().database())
                .isEqualTo("d");
    }

    @Test
    void emptyEnvironmentVariablesAreIgnored() throws IOException {
        DatabaseSettings s = load(args("user: u"), Map.of("PGHOST", "", "PGPORT", "", "PGPASSWORD", "")).settings();
        assertThat(s.host()).isEqualTo("localhost");
        assertThat(s.port()).isEqualTo(5432);
        assertThat(s.password()).isEmpty();
    }

    @Test
    void pgportThatIsNotANumberNamesTheVariable() throws IOException {
        PortException e = failure(args("user: u"), Map.of("PGPORT", "fivefour"));
        assertThat(e.reason()).isEqualTo(FailureReason.CONFIG_MALFORMED);
        assertThat(e.getMessage()).isEqualTo("environment variable PGPORT: expected a port number 1-65535, got \"fivefour\"");
    }

    @Test
    void pgportOutOfRangeNamesTheVariableNotTheYamlKey() throws IOException {
        assertThat(failure(args("user: u"), Map.of("PGPORT", "70000")).getMessage())
                .isEqualTo("environment variable PGPORT: expected a port number 1-65535, got 70000");
    }

    @Test
    void pgsslmodeThatLibpqDoesNotKnowNamesTheVariable() throws IOException {
        assertThat(failure(args("user: u"), Map.of("PGSSLMODE", "on")).getMessage()).isEqualTo(
                "environment variable PGSSLMODE: expected one of disable, allow, prefer, require, verify-ca,"
                        + " verify-full, got \"on\"");
    }

    @Test
    void pgconnectTimeoutThatIsNotANumberNamesTheVariable() throws IOException {
        assertThat(failure(args("user: u"), Map.of("PGCONNECT_TIMEOUT", "soon")).getMessage())
                .isEqualTo("environment variable PGCONNECT_TIMEOUT: expected an integer, got \"soon\"");
    }

    // ---- unknown keys

    @Test
    void unknownArgsKeysGiveOneWarningNamingThemInOrder() throws IOException {
        LoadedConfig config = load(args("user: u", "passwd: " + SECRET, "hostname: db", "sslmod: require"));
        assertThat(config.warnings()).containsExactly(
                "database.args: ignoring keys this tool does not use: hostname, passwd, sslmod");
        assertThat(config.settings().host()).isEqualTo("localhost");
        assertThat(config.settings().password()).isEmpty();
    }

    // ---- errors: each names the YAML path

    @Test
    void portThatIsNotANumberNamesThePath() throws IOException {
        PortException e = failure(args("port: abc"));
        assertThat(e.reason()).isEqualTo(FailureReason.CONFIG_MALFORMED);
        assertThat(e.getMessage()).isEqualTo("database.args.port: expected a port number 1-65535, got \"abc\"");
    }

    @Test
    void portOutOfRangeNamesThePath() throws IOException {
        assertThat(failure(args("port: 70000")).getMessage())
                .isEqualTo("database.args.port: expected a port number 1-65535, got 70000");
        assertThat(failure(args("port: 0")).getMessage())
                .isEqualTo("database.args.port: expected a port number 1-65535, got 0");
    }

    @Test
    void fractionalPortIsRefused() throws IOException {
        assertThat(failure(args("port: 5432.5")).getMessage())
                .isEqualTo("database.args.port: expected a port number 1-65535, got \"5432.5\"");
    }

    @Test
    void sslmodeThatLibpqDoesNotKnowNamesThePath() throws IOException {
        assertThat(failure(args("sslmode: strict")).getMessage()).isEqualTo("database.args.sslmode: expected one of"
                + " disable, allow, prefer, require, verify-ca, verify-full, got \"strict\"");
    }

    @Test
    void connectTimeoutThatIsNotANumberNamesThePath() throws IOException {
        assertThat(failure(args("connect_timeout: soon")).getMessage())
                .isEqualTo("database.args.connect_timeout: expected an integer, got \"soon\"");
    }

    @Test
    void keepalivesThatAreNotNumbersNameThePath() throws IOException {
        assertThat(failure(args("keepalives_idle: [1, 2]")).getMessage())
                .isEqualTo("database.args.keepalives_idle: expected an integer, got a list");
        assertThat(failure(args("keepalives_count: many")).getMessage())
                .isEqualTo("database.args.keepalives_count: expected an integer, got \"many\"");
    }

    @Test
    void poolBoundsOutOfOrderNameBothKeys() throws IOException {
        assertThat(failure(args("cp_min: 5", "cp_max: 2")).getMessage()).isEqualTo(
                "database.args.cp_min/cp_max: need 0 <= cp_min <= cp_max and cp_max >= 1, got 5/2");
        assertThat(failure(args("cp_min: -1")).getMessage()).startsWith("database.args.cp_min/cp_max: ");
        assertThat(failure(args("cp_max: zero")).getMessage())
                .isEqualTo("database.args.cp_max: expected an integer, got \"zero\"");
    }

    @Test
    void structuredValueWhereTextIsExpectedNamesThePath() throws IOException {
        assertThat(failure(args("user: {name: u}")).getMessage())
                .isEqualTo("database.args.user: expected a string, got a mapping");
        assertThat(failure(args("host: [a, b]")).getMessage())
                .isEqualTo("database.args.host: expected a string, got a list");
    }

    @Test
    void argsThatAreNotAMappingNameThePath() throws IOException {
        assertThat(failure("database:\n  name: psycopg2\n  args: host=db\n").getMessage())
                .isEqualTo("database.args: expected a mapping, got \"host=db\"");
        assertThat(failure("database:\n  name: psycopg2\n  args:\n").getMessage())
                .isEqualTo("database.args: expected a mapping, got nothing");
    }

    @Test
    void databaseThatIsNotAMappingNamesThePath() throws IOException {
        PortException e = failure("database: postgres://db/synapse\n");
        assertThat(e.reason()).isEqualTo(FailureReason.CONFIG_MALFORMED);
        assertThat(e.getMessage()).isEqualTo("database: expected a mapping, got \"postgres://db/synapse\"");
    }

    @Test
    void missingConnectorNameIsMalformed() throws IOException {
        PortException e = failure("database:\n  args:\n    user: u\n");
        assertThat(e.reason()).isEqualTo(FailureReason.CONFIG_MALFORMED);
        assertThat(e.getMessage()).isEqualTo("database.name: missing; add 'name: psycopg2' to the database section");
    }

    @Test
    void sqliteConnectorIsNotPostgres() throws IOException {
        PortException e = failure("database:\n  name: sqlite3\n  args:\n    database: homeserver.db\n");
        assertThat(e.reason()).isEqualTo(FailureReason.NOT_POSTGRES);
        assertThat(e.getMessage()).isEqualTo("database.name: the target must use the 'psycopg2' connector, got 'sqlite3'");
    }

    @Test
    void allowUnsafeLocaleThatIsNotABooleanNamesThePath() throws IOException {
        assertThat(failure("database:\n  name: psycopg2\n  allow_unsafe_locale: sometimes\n").getMessage())
                .isEqualTo("database.allow_unsafe_locale: expected true or false, got \"sometimes\"");
    }

    @Test
    void missingDatabaseSectionHasItsOwnReason() throws IOException {
        PortException e = failure("server_name: example.test\n");
        assertThat(e.reason()).isEqualTo(FailureReason.NO_DATABASE_SECTION);
        assertThat(message(e)).isEqualTo("config file F has no 'database' section");
    }

    @Test
    void topLevelThatIsNotAMappingIsMalformed() throws IOException {
        assertThat(message(failure("- database\n"))).isEqualTo("config file F: expected a YAML mapping at the top level");
        assertThat(message(failure(""))).isEqualTo("config file F: expected a YAML mapping at the top level");
    }

    @Test
    void missingConfigFileIsMalformedAndNamesTheFile() {
        Path missing = dir.resolve("nowhere.yaml");
        PortException e = catchThrowableOfType(PortException.class, () -> new ConfigLoader(Map.of()).load(missing));
        assertThat(e.reason()).isEqualTo(FailureReason.CONFIG_MALFORMED);
        assertThat(e.getMessage()).isEqualTo("config file " + missing + " does not exist; check the --postgres-config path");
        assertThat(missing).doesNotExist();
    }

    @Test
    void directoryGivenAsConfigFileIsMalformed() {
        PortException e = catchThrowableOfType(PortException.class, () -> new ConfigLoader(Map.of()).load(dir));
        assertThat(e.reason()).isEqualTo(FailureReason.CONFIG_MALFORMED);
        assertThat(e.getMessage()).isEqualTo("config file " + dir + " is a directory; give the homeserver config file");
    }

    @Test
    void configFileThatIsNotUtf8IsMalformed() throws IOException {
        Path file = dir.resolve("latin1.yaml");
        Files.write(file, "database:\n  name: psycopg2\n  args:\n    password: caf\u00e9\n"
                .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        PortException e = catchThrowableOfType(PortException.class, () -> new ConfigLoader(Map.of()).load(file));
        assertThat(e.reason()).isEqualTo(FailureReason.CONFIG_MALFORMED);
        assertThat(e.getMessage()).isEqualTo("config file " + file + " is not UTF-8 text; save it as UTF-8");
    }

    @Test
    void invalidYamlNamesLineAndColumn() throws IOException {
        PortException e = failure("database:\n  name: psycopg2\n   args: {}\n");
        assertThat(e.reason()).isEqualTo(FailureReason.CONFIG_MALFORMED);
        assertThat(message(e)).isEqualTo("config file F is not valid YAML: mapping values are not allowed here"
                + " at line 3, column 8");
    }

    @Test
    void tabIndentationIsNamed() throws IOException {
        assertThat(message(failure("database:\n\tname: psycopg2\n"))).isEqualTo("config file F is not valid YAML:"
                + " found character '\\t(TAB)' that cannot start any token. (Do not use \\t(TAB) for indentation)"
                + " at line 2, column 1");
    }

    // ---- secrets

    @Test
    void toStringNeverShowsThePassword() throws IOException {
        LoadedConfig config = load(args("user: u", "password: " + SECRET, "sslkey: /k"));
        assertThat(config.settings().toString()).doesNotContain(SECRET).contains("password=****");
        assertThat(config.toString()).doesNotContain(SECRET);
        assertThat(config.settings().describe()).doesNotContain(SECRET);
        assertThat(load(args("user: u")).settings().toString()).contains("password=none");
    }

    @Test
    void passwordFromTheEnvironmentIsNotShownEither() throws IOException {
        LoadedConfig config = load(args("user: u"), Map.of("PGPASSWORD", SECRET));
        assertThat(config.toString()).doesNotContain(SECRET).contains("password=****");
    }

    @Test
    void passwordThatIsAMappingIsRefusedWithoutQuotingIt() throws IOException {
        PortException e = failure(args("password: {value: " + SECRET + "}"));
        assertThat(e.getMessage()).isEqualTo("database.args.password: expected a string, got a mapping");
    }

    /** Each value makes the YAML invalid on the password line; the message must not quote any of it. */
    @ParameterizedTest
    @ValueSource(strings = {
        "\"" + SECRET,                  // unclosed quote
        "*" + SECRET,                   // undefined alias
        "!" + SECRET,                   // unknown tag
        "!" + SECRET + "! x",           // undefined tag handle
        "!<tag:" + SECRET + "> x",      // unknown global tag
        "!!python/object " + SECRET,    // tag not allowed by the safe constructor
        "\"ab\\q" + SECRET + "\"",      // bad escape
        "|" + SECRET,                   // bad block scalar indicator
        SECRET + ": x",                 // nested mapping
        "'" + SECRET + "' trailing",    // text after a quoted scalar
        "[" + SECRET,                   // unclosed flow sequence
        "{" + SECRET,                   // unclosed flow mapping
        "!!int " + SECRET,              // value that does not fit its tag
        "!!float " + SECRET,
        "!!binary " + SECRET + "$",
        "!!timestamp " + SECRET,
        "!!map " + SECRET,
    })
    void invalidYamlOnThePasswordLineNeverQuotesThePassword(String value) throws IOException {
        PortException e = failure(args("user: u", "password: " + value, "host: db"));
        assertThat(e).isNotNull();
        assertThat(e.reason()).isEqualTo(FailureReason.CONFIG_MALFORMED);
        assertThat(message(e)).startsWith("config file F is not valid YAML")
                .doesNotContain(SECRET).doesNotContain(SECRET.substring(1)).doesNotContain("\n");
        assertThat(e.getCause()).isNull();
    }

    @Test
    void invalidYamlOnThePasswordLineStillSaysWhere() throws IOException {
        assertThat(message(failure(args("user: u", "password: *" + SECRET))))
                .isEqualTo("config file F is not valid YAML: found undefined alias (text not shown) at line 6, column 15");
        assertThat(message(failure(args("user: u", "password: !" + SECRET))))
                .isEqualTo("config file F is not valid YAML: could not determine a constructor for the tag"
                        + " (text not shown) at line 6, column 15");
        assertThat(message(failure(args("user: u", "password: !!int " + SECRET)))).isEqualTo("config file F is not"
                + " valid YAML: a value does not fit its tag (such as !!int or !!binary); remove the tag or quote the value");
    }

    @Test
    void otherErrorsInAConfigWithAPasswordDoNotQuoteIt() throws IOException {
        for (String bad : new String[] {"port: x", "sslmode: x", "cp_max: x", "dbname: other"}) {
            PortException e = failure(args("password: " + SECRET, "database: synapse", bad));
            assertThat(e.getMessage()).as(bad).doesNotContain(SECRET);
        }
    }

    @Test
    void syntaxErrorTokenNamesAreKept() {
        assertThat(ConfigLoader.redact("expected <block end>, but found '<scalar>'"))
                .isEqualTo("expected <block end>, but found '<scalar>'");
        assertThat(ConfigLoader.redact("expected ',' or ']', but got <stream end>"))
                .isEqualTo("expected ',' or ']', but got <stream end>");
        assertThat(ConfigLoader.redact("found unknown escape character q(113)"))
                .isEqualTo("found unknown escape character (text not shown)");
        assertThat(ConfigLoader.redact(null)).isEqualTo("syntax error");
    }
}
