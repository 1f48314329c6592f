package dev.synport.postgres;

import dev.synport.Messages;
import dev.synport.config.DatabaseSettings;
import dev.synport.config.Endpoint;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Optional;

/**
 * PostgreSQL's and pgjdbc's errors said in one line with what to do: which role, which OS user,
 * which pg_hba.conf line, GRANT or sslmode would help.
 */
public final class TargetErrors {
    private final String osUser;

    /** @param osUser the OS user this process runs as, which peer and ident authentication see */
    public TargetErrors(String osUser) {
        this.osUser = osUser;
    }

    /** An error while connecting to {@code endpoint}. */
    String connecting(DatabaseSettings s, Endpoint endpoint, SQLException e) {
        String where = "PostgreSQL at " + endpoint.describe();
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        String detail = Messages.oneLine(e.getMessage());
        String message = detail.toLowerCase(Locale.ROOT);
        String role = "'" + s.user() + "'";
        if (message.contains("peer authentication failed") || message.contains("ident authentication failed")) {
            String method = message.contains("peer") ? "peer" : "ident";
            String line = endpoint.isUnixSocket() ? "local " + s.database() + " " + s.user()
                    : "host " + s.database() + " " + s.user() + " 127.0.0.1/32";
            return where + " refused " + method + " authentication: this program runs as OS user '" + osUser
                    + "' and asked for role " + role + "; run it as the OS user named like the role (sudo -u "
                    + s.user() + " ...), or map the OS user to the role in pg_ident.conf ('" + line + " " + method
                    + " map=synapse' in pg_hba.conf and 'synapse " + osUser + " " + s.user() + "' in pg_ident.conf),"
                    + " or give the role a password ('" + line + " scram-sha-256' in pg_hba.conf above the " + method
                    + " line) and set database.args.password; then reload PostgreSQL";
        }
        if (message.contains("no pg_hba.conf entry")) {
            return where + " has no pg_hba.conf line for role " + role + " and database '" + s.database() + "' ("
                    + detail + "); add one such as '" + (endpoint.isUnixSocket()
                            ? "local " + s.database() + " " + s.user() + " peer"
                            : "hostssl " + s.database() + " " + s.user() + " <this machine's address>/32 scram-sha-256")
                    + "' and reload PostgreSQL" + (endpoint.isUnixSocket() ? "" : ", or check database.args.sslmode");
        }
        if (message.contains("requires a valid client certificate") || message.contains("certificate authentication failed")) {
            return where + " wants a client certificate for role " + role + " (" + detail + "); set"
                    + " database.args.sslcert and sslkey to a certificate whose CN is " + s.user()
                    + ", signed by a CA in the server's ssl_ca_file";
        }
        if (message.contains("does not support ssl")) {
            return where + " does not accept SSL connections, and sslmode is '" + s.ssl().mode().orElse("prefer")
                    + "'; turn ssl on in the server's postgresql.conf, or set database.args.sslmode to prefer"
                    + " (or disable) where the network is trusted";
        }
        if (message.contains("could not be verified by hostnameverifier")) {
            return where + ": the server's certificate does not name the host '" + endpoint.host()
                    + "' (sslmode verify-full); set database.args.host to a name the certificate carries, or"
                    + " sslmode to verify-ca to check only the CA";
        }
        if (causedBy(e, CertPathBuilderException.class) || causedBy(e, CertPathValidatorException.class)
                || causedBy(e, CertificateException.class)) {
            return where + ": the server's certificate is not signed by a CA in sslrootcert "
                    + s.ssl().rootCert().orElse("(none)") + " (" + rootCause(e) + "); give the CA certificate that"
                    + " signed the server's, or check that this is the right server";
        }
        return switch (state) {
            case "28P01", "28000" -> where + " refused user '" + s.user() + "' (" + detail
                    + "); check database.args.user and database.args.password, and pg_hba.conf";
            case "3D000" -> where + " has no database '" + s.database() + "'; create it with: createdb"
                    + " --encoding=UTF8 --locale=C --template=template0 --owner=" + s.user() + " " + s.database();
            default -> network(endpoint, e).map(cause -> "cannot connect to " + where + ": " + cause)
                    .orElse("cannot connect to " + where + " as user '" + s.user() + "': " + detail);
        };
    }

    /** How a connection's end is said, whatever pgjdbc or the pool reported. */
    static final String CONNECTION_CLOSED = "connection was closed (the server ended it, or the network dropped it)";

    /**
     * An error on a connection in use, in one line: PostgreSQL's message, or, when the
     * connection itself ended (terminated, server shut down, network), that and what to do.
     */
    public static String inUse(SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        // HikariCP's own "Connection is closed" (a pooled connection it closed once the server ended
        // it) comes without an SQL state
        boolean closedByThePool = state.isEmpty() && "Connection is closed".equals(e.getMessage());
        if (closedByThePool || state.startsWith("08") || state.equals("57P01") || state.equals("57P02")
                || state.equals("57P03")) {
            return "the " + CONNECTION_CLOSED + "; what was committed stays: run the same command again to continue";
        }
        return Messages.oneLine(e.getMessage());
    }

    /** An error while porting, after the connection was made. */
    public String porting(DatabaseSettings s, SQLException e) {
        String detail = inUse(e);
        if ("42501".equals(e.getSQLState()) && detail.contains("schema public")) {
            return "PostgreSQL: role '" + s.user() + "' may not create tables in schema public of database '"
                    + s.database() + "' (" + detail + "); as a superuser, make the role the owner: ALTER DATABASE \""
                    + s.database() + "\" OWNER TO \"" + s.user() + "\"; and (connected to " + s.database()
                    + ") ALTER SCHEMA public OWNER TO \"" + s.user() + "\"; or at least: GRANT CREATE, USAGE ON"
                    + " SCHEMA public TO \"" + s.user() + "\"";
        }
        if ("42501".equals(e.getSQLState())) {
            return "PostgreSQL: role '" + s.user() + "' lacks a privilege in database '" + s.database() + "' ("
                    + detail + "); the port should run as the role that owns Synapse's tables (the one in"
                    + " Synapse's own config), or a superuser can: ALTER DATABASE \"" + s.database() + "\" OWNER TO \""
                    + s.user() + "\"";
        }
        return "PostgreSQL: " + detail;
    }

    /** Connection-level failures, said in words with what to check; pgjdbc's text for them is vague. */
    private static Optional<String> network(Endpoint endpoint, SQLException e) {
        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
            if (endpoint.isUnixSocket() && t instanceof SocketException) {
                return Optional.of("no server listens on the socket " + endpoint.socketPath() + " ("
                        + Messages.oneLine(t.getMessage()) + "); check database.args.host (the socket directory,"
                        + " the server's unix_socket_directories) and database.args.port, and that PostgreSQL is"
                        + " running");
            }
            if (t instanceof UnknownHostException) {
                return Optional.of("unknown host '" + t.getMessage().replaceAll(":.*", "")
                        + "'; check database.args.host");
            }
            if (t instanceof ConnectException) {
                return Optional.of("the connection was refused; check database.args.host and"
                        + " database.args.port, and that PostgreSQL is running and accepts TCP connections there");
            }
            if (t instanceof SocketTimeoutException) {
                return Optional.of("no answer within the connect timeout; check database.args.host and"
                        + " database.args.port, and any firewall between here and there");
            }
        }
        return Optional.empty();
    }

    private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    private static String rootCause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return Messages.oneLine(t.getMessage());
    }
}
