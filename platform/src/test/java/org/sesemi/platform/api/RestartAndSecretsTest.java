package org.sesemi.platform.api;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sesemi.platform.api.PlatformFixture.Resp;
import org.slf4j.LoggerFactory;

/** State survives a restart of the API over the same database; API keys never reach the logs or error bodies. */
class RestartAndSecretsTest {
    private static final String ACTIONS = "/api/v1/namespaces/_/actions/";

    @TempDir
    Path dir;

    @Test
    void restartKeepsActionsAndActivationsAndDoesNotReBootstrap() {
        PlatformFixture p = PlatformFixture.start(dir, c -> c);
        try {
            assertThat(p.createAction("kept", "\"limits\":{\"memory\":128}").status()).isEqualTo(200);
            String id = p.call("POST", ACTIONS + "kept?blocking=true", "{\"v\":1}").json().get("activationId").asText();
            p = p.restart(dir, c -> c);
            assertThat(p.call("GET", ACTIONS + "kept", null).status()).isEqualTo(200);
            Resp record = p.call("GET", "/api/v1/namespaces/_/activations/" + id, null);
            assertThat(record.status()).isEqualTo(200);
            assertThat(record.json().at("/response/result/v").asInt()).isEqualTo(1);
            assertThat(p.createAction("kept", "").status()).isEqualTo(409);
            assertThat(p.call("POST", ACTIONS + "kept?blocking=true", "{}").status()).isEqualTo(200);
        } finally {
            p.close();
        }
    }

    @Test
    void apiKeysAreNeverLogged() {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ListAppender<ILoggingEvent> events = new ListAppender<>();
        events.start();
        Level before = root.getLevel();
        root.setLevel(Level.DEBUG);
        root.addAppender(events);
        String guestSecret = PlatformFixture.GUEST.substring(PlatformFixture.GUEST.indexOf(':') + 1);
        try (PlatformFixture p = PlatformFixture.start(dir, c -> c)) {
            p.createAction("keyed", "\"limits\":{\"memory\":128},\"annotations\":[{\"key\":\"provide-api-key\",\"value\":true}]");
            Resp invoked = p.call("POST", ACTIONS + "keyed?blocking=true&result=true", "{}");
            assertThat(invoked.json().at("/_context/api_key_present").asBoolean()).isTrue();
            // (the action itself received the key and may echo it; that is its business, not the platform's logs')
            Resp wrong = p.call("GET", ACTIONS, null, "23bc46b1-71f6-4ed5-8c54-816aa4f8c502:wrong-secret-123");
            assertThat(wrong.status()).isEqualTo(401);
            assertThat(wrong.body()).doesNotContain("wrong-secret-123");
            p.call("GET", "/nope", null);
            p.call("PUT", ACTIONS + "bad", "{oops");
        } finally {
            root.detachAppender(events);
            root.setLevel(before);
        }
        assertThat(events.list).isNotEmpty();
        for (ILoggingEvent e : events.list) {
            String text = e.getFormattedMessage() + (e.getThrowableProxy() == null ? "" : ThrowableProxyUtil.asString(e.getThrowableProxy()));
            assertThat(text).doesNotContain(guestSecret).doesNotContain("wrong-secret-123");
        }
    }
}
