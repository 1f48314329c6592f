package dev.synport.config;

import java.util.List;

/**
 * What the config file says about the target database, plus what the loader wants the user
 * to know (unknown keys it ignored).
 *
 * @param allowUnsafeLocale Synapse's {@code database.allow_unsafe_locale}: accept a
 *     target whose collation/ctype is not C, with a warning instead of an error
 */
public record LoadedConfig(DatabaseSettings settings, boolean allowUnsafeLocale, List<String> warnings) {
    public LoadedConfig {
        warnings = List.copyOf(warnings);
    }
}
