package dev.synport.config;

import dev.synport.FailureReason;
import dev.synport.PortException;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads the {@code database} section of a homeserver config into {@link DatabaseSettings}.
 * Every error names the YAML path it is about; passwords are never quoted back.
 * Missing connection keys fall back to libpq's environment variables (PGHOST, PGPORT,
 * PGUSER, PGPASSWORD, PGPASSFILE, PGDATABASE, PGSSLMODE, PGSSLROOTCERT, PGSSLCERT, PGSSLKEY,
 * PGCONNECT_TIMEOUT, PGAPPNAME), then to libpq's defaults, as psycopg2 does: no host means the
 * first of {@link #DEFAULT_SOCKET_DIRECTORIES} holding the server's socket (else TCP to
 * localhost), no password means the password file, and the client certificate files default
 * to those under {@code ~/.postgresql/}.
 */
public final class ConfigLoader {
    private static final Set<String> CONNECTORS = Set.of("psycopg2", "psycopg");
    private static final Set<String> USED_KEYS = Set.of(
            "user", "password", "passfile", "database", "dbname", "host", "port", "sslmode", "sslrootcert",
            "sslcert", "sslkey", "connect_timeout", "application_name", "keepalives",
            "keepalives_idle", "keepalives_interval", "keepalives_count");
    /** Twisted adbapi pool keys besides cp_min/cp_max; Synapse accepts them, they mean nothing here. */
    private static final Set<String> IGNORED_POOL_KEYS = Set.of("cp_reconnect", "cp_noisy", "cp_openfun");
    private static final String DEFAULT_APPLICATION_NAME = "synapse-port-db";
    /** Where libpq builds look for the server's socket when no host is given: Debian's, then upstream's. */
    public static final List<String> DEFAULT_SOCKET_DIRECTORIES = List.of("/var/run/postgresql", "/run/postgresql", "/tmp");

    private final Map<String, String> environment;
    private final Predicate<Path> fileExists;

    public ConfigLoader(Map<String, String> environment) {
        this(environment, Files::exists);
    }

    /** @param fileExists how to probe for the default socket and certificate files */
    ConfigLoader(Map<String, String> environment, Predicate<Path> fileExists) {
        this.environment = Map.copyOf(environment);
        this.fileExists = fileExists;
    }

    public LoadedConfig load(Path file) {
        if (Files.isDirectory(file)) {
            throw malformed("config file " + file + " is a directory; give the homeserver config file");
        }
        Object document;
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            document = new Yaml(new SafeConstructor(new LoaderOptions())).load(reader);
        } catch (NoSuchFileException e) {
            throw malformed("config file " + file + " does not exist; check the --postgres-config path");
        } catch (IOException e) {
            throw malformed("cannot read config file " + file + ": " + e.getMessage());
        } catch (MarkedYAMLException e) {
            // Only the problem and its position: the marked snippet could quote a password.
            Mark mark = e.getProblemMark();
            String where = mark == null ? "" : " at line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1);
            throw malformed("config file " + file + " is not valid YAML: " + redact(e.getProblem()) + where);
        } catch (YAMLException e) {
            // SnakeYAML wraps the reader's failures
            if (e.getCause() instanceof CharacterCodingException) {
                throw malformed("config file " + file + " is not UTF-8 text; save it as UTF-8");
            }
            if (e.getCause() instanceof IOException io) {
                throw malformed("cannot read config file " + file + ": " + io.getMessage());
            }
            throw malformed("config file " + file + " is not valid YAML");
        } catch (RuntimeException e) {
            // SnakeYAML lets a value that does not fit its tag (password: !!int abc) fail with the
            // value in the message (NumberFormatException, ...): never quote it.
            throw malformed("config file " + file + " is not valid YAML: a value does not fit its tag"
                    + " (such as !!int or !!binary); remove the tag or quote the value");
        }
        if (!(document instanceof Map<?, ?> root)) {
            throw malformed("config file " + file + ": expected a YAML mapping at the top level");
        }
        if (!root.containsKey("database")) {
            throw new PortException(FailureReason.NO_DATABASE_SECTION,
                    "config file " + file + " has no 'database' section");
        }
        Map<?, ?> database = mapping(root.get("database"), "database");
        Object serverName = root.get("server_name");
        return parseDatabase(database).withServerName(Optional.ofNullable(serverName).map(Object::toString));
    }

    LoadedConfig parseDatabase(Map<?, ?> database) {
        Object name = database.get("name");
        if (name == null) {
            throw malformed("database.name: missing; add 'name: psycopg2' to the database section");
        }
        if (!CONNECTORS.contains(name.toString())) {
            throw new PortException(FailureReason.NOT_POSTGRES,
                    "database.name: the target must use the 'psycopg2' connector, got '" + name + "'");
        }
        Map<?, ?> args = database.containsKey("args") ? mapping(database.get("args"), "database.args") : Map.of();
        List<String> warnings = new ArrayList<>();
        Set<String> unknown = new TreeSet<>();
        Map<String, Object> values = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : args.entrySet()) {
            String key = String.valueOf(e.getKey());
            if (USED_KEYS.contains(key) || key.equals("cp_min") || key.equals("cp_max")) {
                values.put(key, e.getValue());
            } else if (!IGNORED_POOL_KEYS.contains(key)) {
                unknown.add(key);
            }
        }
        if (!unknown.isEmpty()) {
            warnings.add("database.args: ignoring keys this tool does not use: " + String.join(", ", unknown));
        }
        if (values.containsKey("database") && values.containsKey("dbname")
                && !String.valueOf(values.get("database")).equals(String.valueOf(values.get("dbname")))) {
            throw malformed("database.args: 'database' and 'dbname' name different databases");
        }

        String user = text(values, "user").or(() -> env("PGUSER"))
                .orElse(System.getProperty("user.name", "postgres"));
        String db = text(values, "database").or(() -> text(values, "dbname"))
                .or(() -> env("PGDATABASE")).orElse(user);
        List<Endpoint> endpoints = endpoints(values);
        Optional<String> passFile = text(values, "passfile").or(() -> env("PGPASSFILE"));
        Optional<String> password = text(values, "password").or(() -> env("PGPASSWORD"));
        Map<Endpoint, String> passFilePasswords = password.isPresent() ? Map.of()
                : fromPassFile(passFile, endpoints, db, user, warnings);
        DatabaseSettings.SslSettings ssl = ssl(values);
        Optional<Integer> timeout = integer(values, "connect_timeout")
                .or(() -> env("PGCONNECT_TIMEOUT").map(v -> parseInteger(v, "environment variable PGCONNECT_TIMEOUT")));
        String applicationName = text(values, "application_name").or(() -> env("PGAPPNAME"))
                .orElse(DEFAULT_APPLICATION_NAME);
        int cpMin = integer(values, "cp_min").orElse(1);
        int cpMax = integer(values, "cp_max").orElse(Math.max(cpMin, 5));
        if (cpMin < 0 || cpMax < 1 || cpMin > cpMax) {
            throw malformed("database.args.cp_min/cp_max: need 0 <= cp_min <= cp_max and cp_max >= 1, got "
                    + cpMin + "/" + cpMax);
        }
        Map<String, String> keepalives = new LinkedHashMap<>();
        for (String key : List.of("keepalives", "keepalives_idle", "keepalives_interval", "keepalives_count")) {
            integer(values, key).ifPresent(v -> keepalives.put(key, Integer.toString(v)));
        }
        boolean allowUnsafeLocale = bool(database.get("allow_unsafe_locale"), "database.allow_unsafe_locale");
        DatabaseSettings settings = new DatabaseSettings(name.toString(), endpoints, db, user, password, passFilePasswords, ssl,
                timeout, applicationName, new DatabaseSettings.PoolSize(cpMin, cpMax), keepalives);
        return new LoadedConfig(settings, allowUnsafeLocale, warnings, Optional.empty());
    }

    /**
     * {@code host} and {@code port} as libpq reads them: comma-separated lists, one port for every
     * host or one for all; an empty or missing host is the default socket directory.
     */
    private List<Endpoint> endpoints(Map<String, Object> values) {
        Optional<String> hostSource = text(values, "host").map(h -> "database.args.host")
                .or(() -> env("PGHOST").map(h -> "environment variable PGHOST"));
        List<String> hosts = List.of(text(values, "host").or(() -> env("PGHOST")).orElse("").split(",", -1));
        String portSource = values.get("port") != null ? "database.args.port" : "environment variable PGPORT";
        List<Integer> ports = text(values, "port").or(() -> env("PGPORT"))
                .map(p -> Arrays.stream(p.split(",", -1)).map(v -> v.isBlank() ? 5432 : parsePort(v, portSource)).toList())
                .orElse(List.of(5432));
        if (ports.size() != 1 && ports.size() != hosts.size()) {
            throw malformed(portSource + ": " + ports.size() + " ports for " + hosts.size() + " hosts in "
                    + hostSource.orElse("database.args.host") + "; give one port, or one for each host");
        }
        List<Endpoint> endpoints = new ArrayList<>();
        for (int i = 0; i < hosts.size(); i++) {
            int port = ports.get(ports.size() == 1 ? 0 : i);
            String host = hosts.get(i).strip();
            endpoints.add(new Endpoint(host.isEmpty() ? defaultHost(port) : host, port));
        }
        return endpoints;
    }

    /** libpq's default: the local socket; where no socket file is found, TCP to localhost. */
    private String defaultHost(int port) {
        return DEFAULT_SOCKET_DIRECTORIES.stream()
                .filter(dir -> fileExists.test(Path.of(dir, ".s.PGSQL." + port)))
                .findFirst().orElse("localhost");
    }

    /**
     * Each endpoint's first matching password-file line, as libpq looks one up for each host it
     * tries. libpq looks up {@code localhost} for the default socket directory.
     */
    private Map<Endpoint, String> fromPassFile(Optional<String> configured, List<Endpoint> endpoints, String db,
            String user, List<String> warnings) {
        PassFile file = new PassFile(configured.map(Path::of).orElseGet(() -> home().resolve(".pgpass")));
        Set<String> fileWarnings = new LinkedHashSet<>(); // said once, not once per endpoint
        Map<Endpoint, String> passwords = new LinkedHashMap<>();
        try {
            for (Endpoint endpoint : endpoints) {
                String host = DEFAULT_SOCKET_DIRECTORIES.contains(endpoint.host()) ? "localhost" : endpoint.host();
                file.lookup(host, endpoint.port(), db, user, fileWarnings::add)
                        .ifPresent(password -> passwords.putIfAbsent(endpoint, password));
            }
            return passwords;
        } finally {
            warnings.addAll(fileWarnings);
        }
    }

    /**
     * The TLS settings; certificate files default to libpq's under {@code ~/.postgresql/} when
     * those exist.
     */
    private DatabaseSettings.SslSettings ssl(Map<String, Object> values) {
        Optional<String> mode = text(values, "sslmode").map(m -> checkSslMode(m, "database.args.sslmode"))
                .or(() -> env("PGSSLMODE").map(m -> checkSslMode(m, "environment variable PGSSLMODE")));
        Optional<String> rootCert = text(values, "sslrootcert").or(() -> env("PGSSLROOTCERT"));
        return new DatabaseSettings.SslSettings(mode,
                rootCert.or(() -> existingDefault("root.crt")),
                text(values, "sslcert").or(() -> env("PGSSLCERT")).or(() -> existingDefault("postgresql.crt")),
                text(values, "sslkey").or(() -> env("PGSSLKEY")).or(() -> existingDefault("postgresql.key")));
    }

    private Optional<String> existingDefault(String name) {
        Path file = defaultCertFile(name);
        return fileExists.test(file) ? Optional.of(file.toString()) : Optional.empty();
    }

    private Path defaultCertFile(String name) {
        return home().resolve(".postgresql").resolve(name);
    }

    private Path home() {
        return Path.of(env("HOME").orElse(System.getProperty("user.home", "/")));
    }

    private static String checkSslMode(String mode, String source) {
        if (!Set.of("disable", "allow", "prefer", "require", "verify-ca", "verify-full").contains(mode)) {
            throw malformed(source + ": expected one of disable, allow, prefer, require,"
                    + " verify-ca, verify-full, got \"" + mode + "\"");
        }
        return mode;
    }

    private static int parseInteger(String value, String source) {
        if (!value.trim().matches("-?\\d{1,9}")) {
            throw malformed(source + ": expected an integer, got \"" + value + "\"");
        }
        return Integer.parseInt(value.trim());
    }

    private Optional<String> env(String name) {
        return Optional.ofNullable(environment.get(name)).filter(v -> !v.isEmpty());
    }

    private static Map<?, ?> mapping(Object value, String path) {
        if (value instanceof Map<?, ?> map) {
            return map;
        }
        throw malformed(path + ": expected a mapping, got " + describe(value));
    }

    private static Optional<String> text(Map<String, Object> values, String key) {
        Object value = values.get(key);
        if (value == null) {
            return Optional.empty();
        }
        if (value instanceof Map || value instanceof List) {
            throw malformed("database.args." + key + ": expected a string, got " + describe(value));
        }
        return Optional.of(value.toString());
    }

    private static Optional<Integer> integer(Map<String, Object> values, String key) {
        Object value = values.get(key);
        if (value == null) {
            return Optional.empty();
        }
        if (value instanceof Integer i) {
            return Optional.of(i);
        }
        if (value instanceof String s && s.trim().matches("-?\\d{1,9}")) {
            return Optional.of(Integer.parseInt(s.trim()));
        }
        throw malformed("database.args." + key + ": expected an integer, got " + describe(value));
    }

    private static int parsePort(String value, String variable) {
        if (!value.trim().matches("\\d{1,5}")) {
            throw malformed(variable + ": expected a port number 1-65535, got \"" + value + "\"");
        }
        return checkPort(Integer.parseInt(value.trim()), variable);
    }

    private static int checkPort(int port, String source) {
        if (port < 1 || port > 65535) {
            throw malformed(source + ": expected a port number 1-65535, got " + port);
        }
        return port;
    }

    private static boolean bool(Object value, String path) {
        if (value == null) {
            return false;
        }
        if (value instanceof Boolean b) {
            return b;
        }
        throw malformed(path + ": expected true or false, got " + describe(value));
    }

    private static String describe(Object value) {
        if (value == null) {
            return "nothing";
        }
        if (value instanceof Map) {
            return "a mapping";
        }
        if (value instanceof List) {
            return "a list";
        }
        return "\"" + value + "\"";
    }

    /**
     * SnakeYAML quotes document text after these words (a tag, an alias, a tag handle, an
     * escaped character, a found character): cut it, it could be a password. Token names such
     * as {@code '<scalar>'} are kept.
     */
    private static final Pattern DOCUMENT_TEXT = Pattern.compile(
            "\\b(the tag|alias|tag handle|not allowed:|escape character|but found|but got)\\s+(?!'?<[a-z ]+>).*");

    static String redact(String problem) {
        if (problem == null) {
            return "syntax error";
        }
        return DOCUMENT_TEXT.matcher(problem).replaceFirst("$1 (text not shown)");
    }

    private static PortException malformed(String message) {
        return new PortException(FailureReason.CONFIG_MALFORMED, message);
    }
}
