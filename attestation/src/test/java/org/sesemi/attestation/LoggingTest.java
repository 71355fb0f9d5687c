package org.sesemi.attestation;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sesemi.attestation.tee.SimulatedTee;
import org.slf4j.LoggerFactory;

/** Simulated-TEE log lines say SIMULATED; no private key or sealing secret ever appears in logs or error messages. */
class LoggingTest {
    @TempDir
    Path dir;

    @Test
    void simulatedLinesAreLabelledAndSecretsNeverLogged() throws Exception {
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.addAppender(appender);
        List<String> messages = new ArrayList<>();
        try {
            SimulatedTee tee = SimulatedTee.open(dir, "runtime");
            var id = org.sesemi.attestation.ratls.RaTls.issue(tee, Duration.ofHours(1));
            // A rejected peer is logged by the trust manager.
            try {
                org.sesemi.attestation.ratls.RaTls.clientTrust(VerificationPolicy.defaults(), false)
                        .checkClientTrusted(new java.security.cert.X509Certificate[] {id.certificate()}, "EC");
            } catch (java.security.cert.CertificateException expected) {
                messages.add(expected.getMessage());
            }
            try {
                new QuoteVerifier().verify(tee.quote(new byte[64]), Optional.empty(), VerificationPolicy.defaults());
            } catch (AttestationException expected) {
                messages.add(expected.getMessage());
            }
        } finally {
            root.detachAppender(appender);
        }
        appender.list.forEach(e -> messages.add(e.getFormattedMessage()));
        assertThat(appender.list).anySatisfy(e -> assertThat(e.getFormattedMessage()).contains("SIMULATED TEE", "no hardware protection"));
        assertThat(appender.list).filteredOn(e -> e.getLoggerName().contains("SimulatedTee"))
                .allSatisfy(e -> assertThat(e.getFormattedMessage()).contains("SIMULATED"));

        JsonNode state = new ObjectMapper().readTree(Files.readAllBytes(dir.resolve("simulated-tee.json")));
        List<String> secrets = new ArrayList<>();
        for (String f : new String[] {"rootKey", "pckCaKey", "pckKey", "tcbSignerKey", "attestationKey", "sealingSecret"}) {
            String b64 = state.get(f).textValue();
            secrets.add(b64.substring(b64.length() - 24));
            secrets.add(java.util.HexFormat.of().formatHex(java.util.Base64.getDecoder().decode(b64)).substring(0, 40));
        }
        for (String m : messages) {
            for (String s : secrets) {
                assertThat(m).doesNotContain(s);
            }
        }
        assertThat(messages).isNotEmpty();
    }
}
