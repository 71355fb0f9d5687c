package org.sesemi.keyservice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sesemi.attestation.Measurement;
import org.sesemi.client.keyservice.KeyServiceClient;
import org.sesemi.crypto.ModelId;
import org.sesemi.crypto.ModelKey;
import org.sesemi.crypto.PrincipalIdentity;
import org.sesemi.crypto.RequestKey;
import org.slf4j.LoggerFactory;

/**
 * Key bytes never show up in logs (at DEBUG and above), exception messages or error bodies, on the request path
 * including its failures.
 */
class NoSecretLeakTest {
    @TempDir Path dir;

    @Test
    void keysStayOutOfLogsExceptionsAndErrorBodies() {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        Level before = root.getLevel();
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        root.addAppender(logs);
        root.setLevel(Level.DEBUG);
        List<String> seen = new ArrayList<>();
        ModelKey mk = ModelKey.generate(1);
        RequestKey rk = RequestKey.generate();
        try (KsFixture ks = new KsFixture(dir)) {
            PrincipalIdentity owner = PrincipalIdentity.generate();
            PrincipalIdentity user = PrincipalIdentity.generate();
            ModelId model = new ModelId(owner.id(), "m");
            Measurement ma = ks.runtimeTee("runtime-a").measurement();
            try (KeyServiceClient o = ks.principal(owner); KeyServiceClient u = ks.principal(user);
                    KeyServiceClient rt = ks.runtime("runtime-a"); RawHttp raw = RawHttp.principal(ks, owner)) {
                o.register();
                u.register();
                o.putModelKey(model, mk);
                o.addGrant(model, user.id(), ma);
                u.putRequestKey(model, ma, rk);
                assertThat(rt.release(user.id(), model).modelKey()).isEqualTo(mk);
                // Failures that carry the keys in the request.
                seen.add(String.valueOf(catchThrowable(() -> o.putModelKey(model, ModelKey.fromSecret(mk.exportSecret(), 1)))));
                seen.add(String.valueOf(catchThrowable(() -> u.putModelKey(model, mk))));
                seen.add(String.valueOf(catchThrowable(() -> rt.putRequestKey(model, ma, rk))));
                String b64 = Base64.getEncoder().encodeToString(mk.exportSecret());
                seen.add(raw.json("PUT", "/v1/models/" + owner.id() + "/m/key", "{\"version\":1,\"key\":\"" + b64 + "\",\"x\":1}").body());
                seen.add(raw.json("PUT", "/v1/models/" + owner.id() + "/m/key", "{\"version\":\"" + b64 + "\",\"key\":\"" + b64 + "\"}").body());
                seen.add(raw.json("PUT", "/v1/models/" + owner.id() + "/m/key", "{\"version\":0,\"key\":\"" + b64 + "\"}").body());
                seen.add(raw.json("PUT", "/v1/models/" + owner.id() + "/m/key", "{\"" + b64 + "\":1}").body());
                seen.add(raw.json("POST", "/v1/release", "{\"user\":\"" + b64 + "\",\"model\":\"" + b64 + "\"}").body());
                seen.add(raw.get("/metrics").body());
                seen.add(String.valueOf(rt.release(user.id(), model)));
            }
        } finally {
            root.detachAppender(logs);
            root.setLevel(before);
        }
        for (ILoggingEvent e : logs.list) {
            seen.add(e.getFormattedMessage());
            if (e.getThrowableProxy() != null) {
                seen.add(e.getThrowableProxy().getMessage());
            }
        }
        assertThat(seen).hasSizeGreaterThan(10);
        for (byte[] secret : List.of(mk.exportSecret(), rk.exportSecret())) {
            String b64 = Base64.getEncoder().encodeToString(secret);
            String b64url = Base64.getUrlEncoder().encodeToString(secret);
            String hex = HexFormat.of().formatHex(secret);
            for (String s : seen) {
                assertThat(s).doesNotContain(b64.substring(0, 20)).doesNotContain(b64url.substring(0, 20)).doesNotContain(hex.substring(0, 20));
            }
        }
    }
}
