package dev.synport.config;

import java.util.List;
import java.util.Optional;

/**
 * What the config file says about the target database, plus what the loader wants the user
 * to know (unknown keys it ignored).
 *
 * @param allowUnsafeLocale Synapse's {@code database.allow_unsafe_locale}: accept a
 *     target whose collation/ctype is not C, with a warning instead of an error
 * @param serverName the homeserver's {@code server_name}, if the config file has one
 */
public record LoadedConfig(DatabaseSettings settings, boolean allowUnsafeLocale, List<String> warnings,
        Optional<String> serverName) {
    public LoadedConfig {
        warnings = List.copyOf(warnings);
    }

    /** The same, with the homeserver's {@code server_name} from the config's top level. */
    public LoadedConfig withServerName(Optional<String> name) {
        return new LoadedConfig(settings, allowUnsafeLocale, warnings, name);
    }
}
