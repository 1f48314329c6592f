package dev.synport.sqlite;

import dev.synport.FailureReason;
import dev.synport.PortException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** Reads a {@link SnapshotDdl} from a snapshot. */
public final class SnapshotDdlReader {
    private final Snapshot snapshot;

    public SnapshotDdlReader(Snapshot snapshot) {
        this.snapshot = snapshot;
    }

    public SnapshotDdl read() {
        try (Connection c = snapshot.open(); Statement st = c.createStatement()) {
            List<SnapshotDdl.Entry> entries = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("SELECT type, name, tbl_name, coalesce(sql, '') FROM sqlite_master"
                    + " ORDER BY rowid")) {
                while (rs.next()) {
                    entries.add(new SnapshotDdl.Entry(rs.getString(1), rs.getString(2), rs.getString(3),
                            rs.getString(4)));
                }
            }
            int version;
            boolean upgraded;
            try (ResultSet rs = st.executeQuery("SELECT version, upgraded FROM schema_version")) {
                if (!rs.next()) {
                    throw new PortException(FailureReason.PORT_FAILED, snapshot.file()
                            + " has an empty schema_version table; start Synapse on it once, then take a new snapshot");
                }
                version = rs.getInt(1);
                upgraded = rs.getBoolean(2);
            }
            List<SnapshotDdl.Delta> deltas = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("SELECT version, file FROM applied_schema_deltas ORDER BY rowid")) {
                while (rs.next()) {
                    deltas.add(new SnapshotDdl.Delta(rs.getInt(1), rs.getString(2)));
                }
            }
            return new SnapshotDdl(version, upgraded, entries, deltas);
        } catch (SQLException e) {
            throw Snapshot.readFailure(snapshot.file(), "cannot read the schema of " + snapshot.file() + ": ", e);
        }
    }
}
