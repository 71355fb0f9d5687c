package org.sesemi.runtime.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.sesemi.runtime.testing.Fixture.floats;
import static org.sesemi.runtime.testing.Fixture.request;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sesemi.protocol.oip.DataType;
import org.sesemi.client.inference.InferenceClient;
import org.sesemi.protocol.oip.Tensor;
import org.sesemi.protocol.envelope.EnvelopeJson;
import org.sesemi.crypto.ModelId;
import org.sesemi.crypto.ModelKey;
import org.sesemi.crypto.RequestCipher;
import org.sesemi.crypto.RequestKey;
import org.sesemi.runtime.host.HostConfig;
import org.sesemi.runtime.host.RuntimeServer;
import org.sesemi.runtime.testing.Fixture;
import org.sesemi.runtime.testing.TestModels;
import org.slf4j.LoggerFactory;

/**
 * Runs the whole request path (HTTP server, core, caches, engine) through good and bad requests at TRACE log level,
 * capturing every log event, stdout/stderr of the server and every HTTP body the host sends back, and asserts that no
 * key, no plaintext input or output value, and no model byte appears in any of them.
 */
class LeakTest {
    @TempDir Path dir;

    @Test
    void noKeyOrPlaintextReachesLogsStreamsOrTheWire() throws Exception {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        Logger sesemi = (Logger) LoggerFactory.getLogger("org.sesemi");
        Level before = sesemi.getLevel();
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        root.addAppender(logs);
        sesemi.setLevel(Level.TRACE);
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        List<String> wire = new ArrayList<>();
        try (Fixture f = new Fixture(dir, CoreConfig.builder().timing(true).build())) {
            ModelId m = f.addModel("affine", TestModels.affine(5, 0));
            ModelId multi = f.addModel("multi", TestModels.multiType());
            ModelKey secretModelKey = ModelKey.generate(1);
            ModelId swapped = f.addModel("swapped", TestModels.affine(6, 0));
            Files.copy(f.store.pathOf(m), f.store.pathOf(swapped), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            try (RuntimeServer s = RuntimeServer.start(HostConfig.openWhisk().bind("127.0.0.1").port(0).build(), settings -> f.core, Map.of(),
                    new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8))) {
                HttpClient http = HttpClient.newHttpClient();
                URI run = URI.create("http://127.0.0.1:" + s.port() + "/run");
                http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + "/init")).POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
                        HttpResponse.BodyHandlers.ofString());
                // Distinctive plaintext values that must never show up outside the core.
                float[] secretInput = {31337.125f, 27182.5f, 16180.25f, 14142.75f};
                String secretWord = "TOP-SECRET-WORD-42";
                List<String> envelopes = new ArrayList<>();
                envelopes.add(json(f.seal(m, request(floats("x", secretInput, 1, 4)), false)));
                envelopes.add(json(f.seal(m, request(floats("x", secretInput, 1, 4)), true)));
                envelopes.add(json(f.seal(m, request(floats("x", new float[] {31337.125f, 27182.5f, 16180.25f}, 1, 3)), false))); // wrong shape
                envelopes.add(json(f.seal(multi, request(Tensor.ofStrings("words", new long[] {1}, new String[] {secretWord})), false))); // missing inputs
                envelopes.add(json(f.seal(multi, request(new Tensor("a", DataType.FP32, new long[] {1, 3}, floats("a", new float[] {31337.125f, 1, 2}, 1, 3).data()),
                        new Tensor("ids", DataType.INT64, new long[] {1, 3}, java.nio.ByteBuffer.allocate(24)),
                        new Tensor("mask", DataType.BOOL, new long[] {1, 3}, java.nio.ByteBuffer.wrap(new byte[] {1, 1, 1})),
                        new Tensor("half", DataType.FP16, new long[] {1, 3}, java.nio.ByteBuffer.allocate(6)),
                        new Tensor("px", DataType.UINT8, new long[] {1, 3}, java.nio.ByteBuffer.allocate(3)),
                        Tensor.ofStrings("words", new long[] {1}, new String[] {secretWord})), false)));
                envelopes.add(json(new RequestCipher(f.requestKey).sealRequest(m, f.user.id(), "garbage", ("{\"inputs\":[{\"name\":\"x\",\"data\":[" + secretWord + "]}]}").getBytes())));
                envelopes.add(json(new RequestCipher(RequestKey.generate()).sealRequest(m, f.user.id(), "foreign", secretWord.getBytes())));
                envelopes.add(json(f.seal(swapped, request(floats("x", secretInput, 1, 4)), false)));
                envelopes.add("{\"model\":\"" + m + "\",\"user\":\"" + f.user.id() + "\",\"requestId\":\"t\",\"payload\":\"" + secretWord + "\"}");
                for (String e : envelopes) {
                    wire.add(http.send(HttpRequest.newBuilder(run).POST(HttpRequest.BodyPublishers.ofString("{\"value\":" + e + "}")).build(),
                            HttpResponse.BodyHandlers.ofString()).body());
                }
                InferenceClient c = new InferenceClient(run, InferenceClient.Protocol.OPENWHISK_RUN, f.user.id(), m, f.requestKey);
                float[] prediction = org.sesemi.runtime.testing.Fixture.floatsOf(c.infer(request(floats("x", secretInput, 1, 4)), true).response().outputs().get(0));

                List<String> forbidden = new ArrayList<>();
                for (byte[] k : List.of(f.requestKey.exportSecret(), f.keys.release(f.user.id(), m).modelKey().exportSecret(), secretModelKey.exportSecret())) {
                    forbidden.add(HexFormat.of().formatHex(k));
                    forbidden.add(Base64.getEncoder().encodeToString(k));
                }
                for (float v : Stream.of(secretInput[0], secretInput[1], prediction[0], prediction[1]).toList()) {
                    forbidden.add(Float.toString(v));
                }
                forbidden.add("31337");
                forbidden.add("27182");
                byte[] modelBytes = TestModels.affine(5, 0);
                forbidden.add(Base64.getEncoder().encodeToString(java.util.Arrays.copyOfRange(modelBytes, modelBytes.length - 40, modelBytes.length)));
                List<String> wireWithoutEcho = new ArrayList<>();
                for (String w : wire) {
                    wireWithoutEcho.add(w);
                }
                StringBuilder all = new StringBuilder();
                logs.list.forEach(ev -> {
                    all.append(ev.getFormattedMessage()).append('\n');
                    if (ev.getThrowableProxy() != null) {
                        all.append(ev.getThrowableProxy().getMessage()).append('\n');
                    }
                });
                all.append(out.toString(StandardCharsets.UTF_8)).append(err.toString(StandardCharsets.UTF_8));
                wireWithoutEcho.forEach(w -> all.append(w).append('\n'));
                assertThat(logs.list).isNotEmpty(); // the capture works: rejections are logged
                for (String secret : forbidden) {
                    assertThat(all.toString()).doesNotContain(secret);
                }
                // The last envelope carried the secret word as (invalid) payload text: it is rejected without echo.
                assertThat(all.toString()).doesNotContain(secretWord);
            }
        } finally {
            root.detachAppender(logs);
            sesemi.setLevel(before);
        }
    }

    private static String json(org.sesemi.crypto.RequestEnvelope e) {
        return new String(EnvelopeJson.write(e), StandardCharsets.UTF_8);
    }
}
