package dev.synport.schema;

import dev.synport.FailureReason;
import dev.synport.PortException;
import dev.synport.postgres.TargetCatalog;
import java.util.function.Consumer;

/**
 * Refuses targets Synapse could not run on, or that do not hold Synapse's schema at the
 * snapshot's version. Column-level comparison is the planner's (it needs the table list).
 */
public final class TargetCheck {

    /**
     * The database itself: UTF8, C collation and ctype. Gives warnings to {@code warnings} as
     * soon as they are found (so that they are shown even when a later check stops the port).
     */
    public void checkDatabase(TargetCatalog target, boolean allowUnsafeLocale, Consumer<String> warnings) {
        if (!"UTF8".equalsIgnoreCase(target.encoding())) {
            throw new PortException(FailureReason.PORT_FAILED, "the target database's encoding is "
                    + target.encoding() + ", but Synapse needs UTF8; recreate it with: createdb --encoding=UTF8"
                    + " --locale=C --template=template0 --owner=<user> <name>");
        }
        if (!"C".equals(target.collate()) || !"C".equals(target.ctype())) {
            String message = "the target database has LC_COLLATE '" + target.collate() + "' and LC_CTYPE '"
                    + target.ctype() + "', but Synapse needs C for both";
            if (!allowUnsafeLocale) {
                throw new PortException(FailureReason.PORT_FAILED, message + "; recreate it with: createdb"
                        + " --encoding=UTF8 --locale=C --template=template0 --owner=<user> <name>"
                        + " (or set database.allow_unsafe_locale: true, at your own risk)");
            }
            warnings.accept(message + "; going on because database.allow_unsafe_locale is set");
        }
    }

    /** A target that is not empty must hold Synapse's schema at the snapshot's version; it is never altered otherwise. */
    public void checkSchema(TargetCatalog target, int snapshotVersion) {
        if (target.schemaVersion().isEmpty()) {
            throw new PortException(FailureReason.PORT_FAILED, "the target database is not empty but holds no Synapse"
                    + " schema, so it is left alone; give an empty database (the port creates Synapse's schema in it)"
                    + " or one prepared with Synapse's update_synapse_database --database-config"
                    + " homeserver-postgres.yaml");
        }
        int targetVersion = target.schemaVersion().getAsInt();
        if (targetVersion != snapshotVersion) {
            throw new PortException(FailureReason.PORT_FAILED, "the snapshot is at Synapse schema version "
                    + snapshotVersion + " but the target at " + targetVersion + "; prepare the target with the"
                    + " Synapse release that wrote the snapshot (or upgrade Synapse on SQLite first and take a new"
                    + " snapshot)");
        }
    }
}
