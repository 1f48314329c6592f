package dev.synport.port;

import dev.synport.FailureReason;
import dev.synport.Identifiers;
import dev.synport.PortException;
import dev.synport.postgres.CheckpointStore;
import dev.synport.postgres.TargetCatalog;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;

/**
 * Refuses to port one homeserver's snapshot into a target that already holds a port of
 * another's. The evidence is Synapse's {@code users} table: it holds the local accounts only
 * (remote users never get a row), appservice users included, each named
 * {@code @localpart:server_name}, so the domain most of its names share is the server's name
 * on either side. A side with no users gives no evidence and refuses nothing.
 */
public final class SameServerCheck {
    /** The most common domain of the user ids; the server name may carry a port, so everything after the first ':'. */
    private static final String SQLITE_DOMAIN = "SELECT substr(name, instr(name, ':') + 1) FROM users"
            + " WHERE instr(name, ':') > 0 GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1";
    private static final String POSTGRES_DOMAIN = "SELECT substr(name, strpos(name, ':') + 1) FROM users"
            + " WHERE strpos(name, ':') > 0 GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1";

    public void refuseOtherServer(Connection sqlite, Connection target, TargetCatalog catalog) throws SQLException {
        if (catalog.table(CheckpointStore.TABLE).isEmpty() || catalog.table("users").isEmpty()
                || !hasRows(target, CheckpointStore.TABLE)) {
            return;
        }
        Optional<String> snapshotServer = domain(sqlite, SQLITE_DOMAIN);
        Optional<String> targetServer = domain(target, POSTGRES_DOMAIN);
        if (snapshotServer.isPresent() && targetServer.isPresent() && !snapshotServer.equals(targetServer)) {
            throw new PortException(FailureReason.PORT_FAILED, "this snapshot belongs to server "
                    + snapshotServer.get() + ", the target to server " + targetServer.get() + " (the domains of"
                    + " their users); the target already holds a port of " + targetServer.get() + ": give a"
                    + " snapshot of " + targetServer.get() + ", or port this one into a new, empty database");
        }
    }

    private static boolean hasRows(Connection c, String table) throws SQLException {
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT EXISTS (SELECT 1 FROM " + Identifiers.quote(table) + ")")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    private static Optional<String> domain(Connection c, String query) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(query)) {
            return rs.next() ? Optional.ofNullable(rs.getString(1)) : Optional.empty();
        }
    }
}
