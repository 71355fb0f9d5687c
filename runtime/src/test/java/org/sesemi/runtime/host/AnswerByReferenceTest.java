package org.sesemi.runtime.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.sesemi.runtime.testing.Fixture.floats;
import static org.sesemi.runtime.testing.Fixture.floatsOf;
import static org.sesemi.runtime.testing.Fixture.request;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sesemi.client.inference.DirectoryPayloadStore;
import org.sesemi.client.inference.InferenceClient;
import org.sesemi.client.inference.PayloadStore;
import org.sesemi.crypto.ModelId;
import org.sesemi.runtime.core.CoreConfig;
import org.sesemi.runtime.testing.Fixture;
import org.sesemi.runtime.testing.TestModels;

/**
 * A small request whose answer is above the runtime's reference threshold, through OpenWhisk's {@code /run} (which
 * re-serializes the envelope inside {@code value}): a client with a payload store gets the answer by reference,
 * transparently; one without gets it inline.
 */
class AnswerByReferenceTest {
    static final int ROWS = 1_000; // 16 KB of input, 12 KB of output
    @TempDir Path dir;

    /** The real directory store, counting the objects the client reads from it. */
    record Counting(PayloadStore store, AtomicInteger gets) implements PayloadStore {
        @Override
        public void put(String name, byte[] object) throws IOException {
            store.put(name, object);
        }

        @Override
        public byte[] get(String name, long maxBytes) throws IOException {
            gets.incrementAndGet();
            return store.get(name, maxBytes);
        }

        @Override
        public void delete(String name) throws IOException {
            store.delete(name);
        }

        @Override
        public String describe() {
            return store.describe();
        }
    }

    @Test
    void aClientWithAPayloadStoreGetsALargeAnswerToASmallRequestByReference() throws Exception {
        float[] x = new float[ROWS * 4];
        for (int i = 0; i < x.length; i++) {
            x[i] = (i % 13) - 6;
        }
        try (Fixture f = new Fixture(dir, CoreConfig.builder().payloadRefAbove(4096).build())) {
            ModelId m = f.addModel("affine", TestModels.affine(3, 0));
            try (RuntimeServer ow = RuntimeServer.start(HostConfig.openWhisk().bind("127.0.0.1").port(0).build(), f.core)) {
                HttpResponse<String> init = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ow.port() + "/init"))
                        .POST(HttpRequest.BodyPublishers.ofString("{\"value\":{}}")).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(init.statusCode()).isEqualTo(200);
                URI run = URI.create("http://127.0.0.1:" + ow.port() + "/run");
                InferenceClient plain = new InferenceClient(run, InferenceClient.Protocol.OPENWHISK_RUN, f.user.id(), m, f.requestKey);
                Counting store = new Counting(new DirectoryPayloadStore(f.store.root()), new AtomicInteger());
                InferenceClient withStore = plain.withPayloadStore(store, 1 << 20); // the request itself stays inline

                float[] got = floatsOf(withStore.infer(request(floats("x", x, ROWS, 4)), true).response().outputs().get(0));
                assertThat(got).containsExactly(TestModels.affineExpected(3, x, ROWS), org.assertj.core.data.Offset.offset(1e-3f));
                assertThat(store.gets()).as("the answer was read from the store").hasValue(1);
                try (Stream<Path> left = Files.list(f.store.root().resolve("payloads"))) {
                    assertThat(left).as("the client deleted the answer object").isEmpty();
                }

                float[] inline = floatsOf(plain.infer(request(floats("x", x, ROWS, 4)), true).response().outputs().get(0));
                assertThat(inline).containsExactly(got);
                assertThat(store.gets()).as("without a store the answer came inline").hasValue(1);
            }
        }
    }
}
