package dev.synport.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import org.junit.jupiter.api.Test;

class TargetErrorsTest {
    private static final String CLOSED = "the connection was closed (the server ended it, or the network dropped it);"
            + " what was committed stays: run the same command again to continue";

    @Test
    void aConnectionEndedByTheServerOrClosedByThePoolSaysSoAndThatARerunContinues() {
        assertThat(TargetErrors.inUse(new SQLException("An I/O error occurred while sending to the backend.", "08006")))
                .isEqualTo(CLOSED);
        assertThat(TargetErrors.inUse(new SQLException("FATAL: terminating connection due to administrator command",
                "57P01"))).isEqualTo(CLOSED);
        // HikariCP's, for a pooled connection it closed after the server ended it: no SQL state
        assertThat(TargetErrors.inUse(new SQLException("Connection is closed"))).isEqualTo(CLOSED);
    }

    @Test
    void anyOtherErrorIsItsMessageOnOneLine() {
        assertThat(TargetErrors.inUse(new SQLException("ERROR: canceling statement due to lock timeout\n  Where: COPY",
                "55P03"))).isEqualTo("ERROR: canceling statement due to lock timeout Where: COPY");
        assertThat(TargetErrors.inUse(new SQLException("Connection is closed", "XX000")))
                .isEqualTo("Connection is closed");
    }
}
