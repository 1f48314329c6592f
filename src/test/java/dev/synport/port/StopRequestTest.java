package dev.synport.port;

import static org.assertj.core.api.Assertions.assertThat;

import dev.synport.FailureReason;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class StopRequestTest {
    @Test
    void onlyTheFirstRequestCountsAndTellsThoseWaiting() {
        StopRequest stop = new StopRequest();
        AtomicInteger told = new AtomicInteger();
        stop.whenRequested(told::incrementAndGet);
        assertThat(stop.isRequested()).isFalse();
        Runnable asTheCursesViewCallsIt = stop;
        asTheCursesViewCallsIt.run();
        stop.run();
        assertThat(stop.isRequested()).isTrue();
        assertThat(told).hasValue(1);
        assertThat(StopRequest.interrupted().reason()).isEqualTo(FailureReason.INTERRUPTED);
    }
}
