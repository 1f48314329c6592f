package dev.synport.testing;

import dev.synport.config.ConfigLoader;
import dev.synport.postgres.PostgresTarget;
import dev.synport.postgres.TargetErrors;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;

/** Connects the way the port does, from a homeserver config, and reports what the server saw. */
public final class ConnectionProbe {
    private ConnectionProbe() {}

    /** What the server says about the session: role, database, TLS, and whether it came over a Unix socket. */
    public record Session(String role, String database, boolean ssl, boolean unixSocket) {}

    public static Session connect(Path config, Map<String, String> environment) throws SQLException {
        try (PostgresTarget target = PostgresTarget.connect(new ConfigLoader(environment).load(config).settings(), 1,
                new TargetErrors(System.getProperty("user.name")));
                Connection c = target.open(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT current_user, current_database(),"
                        + " coalesce((SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()), false),"
                        + " inet_server_addr() IS NULL")) {
            rs.next();
            return new Session(rs.getString(1), rs.getString(2), rs.getBoolean(3), rs.getBoolean(4));
        }
    }
}
