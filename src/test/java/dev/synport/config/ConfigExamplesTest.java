package dev.synport.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.synport.testing.ConfigExample;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Each file in config-examples/ loads as it is, without warnings, to the settings its comments promise. */
class ConfigExamplesTest {
    private static LoadedConfig load(String name) {
        return new ConfigLoader(Map.of(), p -> false).load(ConfigExample.file(name));
    }

    @Test
    void tcpExampleIsAPasswordOverTcp() {
        LoadedConfig config = load("homeserver-postgres.yaml");
        assertThat(config.warnings()).isEmpty();
        assertThat(config.serverName()).contains("example.com");
        DatabaseSettings s = config.settings();
        assertThat(s.endpoints()).containsExactly(new Endpoint("localhost", 5432));
        assertThat(s.user()).isEqualTo("synapse_user");
        assertThat(s.password()).contains("secretpassword");
        assertThat(s.database()).isEqualTo("synapse");
        assertThat(s.ssl()).isEqualTo(DatabaseSettings.SslSettings.none());
        assertThat(s.pool()).isEqualTo(new DatabaseSettings.PoolSize(5, 10));
    }

    @Test
    void socketExampleIsPeerAuthenticationWithoutAPassword() {
        LoadedConfig config = load("homeserver-postgres-socket.yaml");
        assertThat(config.warnings()).isEmpty();
        DatabaseSettings s = config.settings();
        assertThat(s.endpoints()).containsExactly(new Endpoint("/var/run/postgresql", 5432));
        assertThat(s.endpoints().get(0).socketPath()).isEqualTo("/var/run/postgresql/.s.PGSQL.5432");
        assertThat(s.user()).isEqualTo("matrix-synapse");
        assertThat(s.password()).isEmpty();
        assertThat(s.database()).isEqualTo("synapse");
    }

    @Test
    void tlsExampleIsVerifyFullWithARootCertificate() {
        LoadedConfig config = load("homeserver-postgres-tls.yaml");
        assertThat(config.warnings()).isEmpty();
        DatabaseSettings s = config.settings();
        assertThat(s.endpoints()).containsExactly(new Endpoint("db.example.com", 5432));
        assertThat(s.password()).contains("secretpassword");
        assertThat(s.ssl()).isEqualTo(new DatabaseSettings.SslSettings(Optional.of("verify-full"),
                Optional.of("/etc/synapse/postgres-ca.crt"), Optional.empty(), Optional.empty()));
    }

    @Test
    void everyExampleIsCovered() throws Exception {
        try (Stream<Path> files = Files.list(ConfigExample.file("."))) {
            assertThat(files.map(f -> f.getFileName().toString()).sorted().toList()).isEqualTo(List.of(
                    "homeserver-postgres-socket.yaml", "homeserver-postgres-tls.yaml", "homeserver-postgres.yaml"));
        }
    }
}
