package org.sesemi.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class JdkServerSettingsTest {
    @Test
    void theDeadlinesAreSetBeforeTheFirstServerAndCannotChangeAfterwards() throws IOException {
        try (HttpService s = HttpService.builder("t").bind(InetAddress.getLoopbackAddress(), 0)
                .router(Router.builder().get("/", r -> Response.empty(204)).build()).start()) {
            assertThat(s.port()).isPositive();
        }
        assertThat(System.getProperty("sun.net.httpserver.maxReqTime")).isNotNull();
        assertThat(System.getProperty("sun.net.httpserver.maxRspTime")).isEqualTo("330");
        assertThat(System.getProperty("sun.net.httpserver.nodelay")).isEqualTo("true");
        // the JDK read them when the first server was created: a later override is refused, not silently ignored
        assertThat(JdkServerSettings.useDeadlines(Duration.ofMinutes(10), Duration.ofMinutes(10))).isFalse();
        assertThat(System.getProperty("sun.net.httpserver.maxRspTime")).isEqualTo("330");
    }
}
