package org.sesemi.runtime.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.sesemi.runtime.testing.Fixture.floats;
import static org.sesemi.runtime.testing.Fixture.request;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sesemi.attestation.Measurement;
import org.sesemi.attestation.tee.SimulatedTee;
import org.sesemi.attestation.TeeConfig;
import org.sesemi.attestation.VerificationPolicy;
import org.sesemi.attestation.ratls.RaTls;
import org.sesemi.client.inference.InferenceClient;
import org.sesemi.client.inference.RuntimeRejectedException;
import org.sesemi.client.keyservice.AuditEvent;
import org.sesemi.client.keyservice.AuditQuery;
import org.sesemi.client.keyservice.KeyServiceClient;
import org.sesemi.client.keyservice.KeyServiceEndpoint;
import org.sesemi.client.keyservice.KeyServiceException;
import org.sesemi.crypto.ModelId;
import org.sesemi.crypto.ModelKey;
import org.sesemi.crypto.PrincipalIdentity;
import org.sesemi.crypto.RequestKey;
import org.sesemi.keyservice.KeyServiceConfig;
import org.sesemi.keyservice.KeyServiceServer;
import org.sesemi.runtime.core.EnclaveRuntime;
import org.sesemi.runtime.core.RuntimeSettings;
import org.sesemi.runtime.host.HostConfig;
import org.sesemi.runtime.host.RuntimeServer;
import org.sesemi.runtime.store.DirectoryModelStore;
import org.sesemi.runtime.testing.Fixture;
import org.sesemi.runtime.testing.TestModels;

/**
 * A model key rotation under load, in the documented order, with a real KeyService and real runtime servers on
 * loopback: while requests flow continuously (to a runtime that was warm before the rotation and to one started in
 * the middle of it), the owner stores key version 2, re-encrypts and re-uploads the model, then retires version 1.
 * No request fails; afterwards version 1 is refused with {@code key_retired}, and a fresh runtime serves version 2.
 */
class KeyRotationUnderLoadTest {
    /** Short, so the runtimes' cached keys expire (and are fetched again) several times during each step. */
    static final Duration TTL = Duration.ofSeconds(2);
    @TempDir Path dir;
    KeyServiceServer ks;
    KeyServiceEndpoint endpoint;
    Path teeDir;
    DirectoryModelStore store;
    Measurement runtimeMeasurement;
    final List<RuntimeServer> runtimes = new CopyOnWriteArrayList<>();
    final PrincipalIdentity owner = PrincipalIdentity.generate();
    final PrincipalIdentity user = PrincipalIdentity.generate();
    final RequestKey requestKey = RequestKey.generate();
    final byte[] onnx = TestModels.affine(1, 0);

    @BeforeEach
    void start() {
        teeDir = dir.resolve("tee");
        ks = KeyServiceServer.start(KeyServiceConfig.builder().port(0).host("127.0.0.1").database(dir.resolve("ks.db"))
                .tee(TeeConfig.simulated(teeDir, "keyservice")).releaseTtl(TTL).rateLimit(0, 1).build());
        endpoint = new KeyServiceEndpoint(ks.uri(), VerificationPolicy.simulated(SimulatedTee.open(teeDir, "keyservice")).toBuilder()
                .expectMeasurement(ks.measurement()).build());
        store = new DirectoryModelStore(dir.resolve("models"));
        runtimeMeasurement = SimulatedTee.open(teeDir, "runtime").measurement();
    }

    @AfterEach
    void stop() {
        runtimes.forEach(RuntimeServer::close);
        ks.close();
    }

    RuntimeServer runtime() throws Exception {
        RuntimeServer rt = RuntimeServer.start(HostConfig.openWhisk().bind("127.0.0.1").port(0).build(), EnclaveRuntime::fromSettings, Map.of(),
                System.out, System.err);
        runtimes.add(rt);
        String init = new ObjectMapper().writeValueAsString(Map.of("value", Map.of("name", "semirt", "env", Map.of(
                RuntimeSettings.KS_URL, ks.uri().toString(),
                RuntimeSettings.KS_MEASUREMENT, ks.measurement().value(),
                RuntimeSettings.TEE, "simulated",
                RuntimeSettings.TEE_DIR, teeDir.toString(),
                RuntimeSettings.MODEL_STORE, store.root().toString()))));
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + rt.port() + "/init"))
                .POST(HttpRequest.BodyPublishers.ofString(init)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return rt;
    }

    InferenceClient client(RuntimeServer rt, ModelId model) {
        return new InferenceClient(URI.create("http://127.0.0.1:" + rt.port() + "/run"), InferenceClient.Protocol.OPENWHISK_RUN,
                user.id(), model, requestKey);
    }

    /** The owner's `sesemi model encrypt` + upload: a new file under {@code key}, moved into the store atomically. */
    /** The owner uploads the model under {@code v1} and stores that key; the user is granted and has a request key. */
    void publishAndGrant(ModelId model, ModelKey v1) throws Exception {
        upload(model, v1);
        try (KeyServiceClient o = KeyServiceClient.forPrincipal(endpoint, owner); KeyServiceClient u = KeyServiceClient.forPrincipal(endpoint, user)) {
            o.register();
            u.register();
            o.putModelKey(model, v1);
            o.addGrant(model, user.id(), runtimeMeasurement);
            u.putRequestKey(model, runtimeMeasurement, requestKey);
        }
    }

    void upload(ModelId id, ModelKey key) throws Exception {
        Fixture.upload(store, dir.resolve("affine-v" + key.version() + ".smodel"), id, onnx, key);
    }

    /** Sends requests until stopped; every failure is kept with its reason. */
    final class Load implements Runnable {
        final InferenceClient client;
        final AtomicBoolean stop;
        final AtomicInteger ok = new AtomicInteger();
        final ConcurrentLinkedQueue<String> failures;

        Load(InferenceClient client, AtomicBoolean stop, ConcurrentLinkedQueue<String> failures) {
            this.client = client;
            this.stop = stop;
            this.failures = failures;
        }

        @Override
        public void run() {
            float[] x = {1, 2, 3, 4};
            while (!stop.get()) {
                try {
                    assertThat(client.infer(request(floats("x", x, 1, 4)), true).response().outputs()).hasSize(1);
                    ok.incrementAndGet();
                } catch (RuntimeRejectedException e) {
                    failures.add(e.code() + "/" + e.reason() + ": " + e.getMessage());
                } catch (Exception | AssertionError e) {
                    failures.add(e.toString());
                }
            }
        }
    }

    /** Lets the load run for at least {@code d} and until every load saw one more success (progress, not a sleep). */
    static void during(Duration d, List<Load> loads) {
        long deadline = System.nanoTime() + d.toNanos();
        int[] before = loads.stream().mapToInt(l -> l.ok.get()).toArray();
        org.awaitility.Awaitility.await().atMost(d.plusSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> {
            for (int i = 0; i < loads.size(); i++) {
                if (loads.get(i).ok.get() <= before[i]) {
                    return false;
                }
            }
            return System.nanoTime() >= deadline;
        });
    }

    @Test
    void rotatingInTheDocumentedOrderFailsNoRequest() throws Exception {
        ModelId model = new ModelId(owner.id(), "affine");
        ModelKey v1 = ModelKey.generate(1);
        ModelKey v2 = ModelKey.generate(2);
        publishAndGrant(model, v1);
        RuntimeServer warm = runtime();
        AtomicBoolean stop = new AtomicBoolean();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        List<Load> loads = new CopyOnWriteArrayList<>(List.of(new Load(client(warm, model), stop, failures),
                new Load(client(warm, model), stop, failures)));
        List<Thread> threads = new CopyOnWriteArrayList<>();
        loads.forEach(l -> threads.add(Thread.ofPlatform().name("load-" + threads.size()).start(l)));
        try (KeyServiceClient o = KeyServiceClient.forPrincipal(endpoint, owner)) {
            during(Duration.ofSeconds(1), loads);
            // 1. Store version 2 before the model is re-encrypted: runtimes keep asking for version 1 (the file's).
            assertThat(o.putModelKey(model, v2)).isTrue();
            during(TTL.multipliedBy(2), loads);
            // A runtime started now (cold: it has never seen the file) must also be served.
            Load late = new Load(client(runtime(), model), stop, failures);
            loads.add(late);
            threads.add(Thread.ofPlatform().name("load-late").start(late));
            during(TTL.multipliedBy(2), loads);
            // 2. Re-encrypt under version 2 and re-upload (atomically replacing the file).
            upload(model, v2);
            during(TTL.multipliedBy(2), loads);
            // 3. Retire version 1: runtimes still on it get key_retired at their next fetch and move to version 2.
            assertThat(o.retireModelKey(model, 1)).isTrue();
            assertThat(o.retireModelKey(model, 1)).isFalse();
            during(TTL.multipliedBy(3), loads);
        } finally {
            stop.set(true);
            for (Thread t : threads) {
                t.join(Duration.ofSeconds(60));
            }
        }
        int served = loads.stream().mapToInt(l -> l.ok.get()).sum();
        System.out.println("rotation under load: " + served + " requests served, " + failures.size() + " failed");
        assertThat(failures).as("failed requests during the rotation").isEmpty();
        assertThat(served).isPositive();

        // Afterwards: a fresh runtime serves version 2; version 1 is refused with a clear reason, and it was audited.
        float[] x = {1, 2, 3, 4};
        assertThat(client(runtime(), model).infer(request(floats("x", x, 1, 4)), true).response().outputs()).hasSize(1);
        try (KeyServiceClient rt = KeyServiceClient.forRuntime(endpoint, RaTls.issue(SimulatedTee.open(teeDir, "runtime"), Duration.ofHours(1)))) {
            assertThat(rt.release(user.id(), model, 2).modelKey()).isEqualTo(v2);
            assertThatThrownBy(() -> rt.release(user.id(), model, 1)).isInstanceOfSatisfying(KeyServiceException.class, e -> {
                assertThat(e.reason()).isEqualTo("key_retired");
                assertThat(e.status()).isEqualTo(410);
                assertThat(e.getMessage()).contains("retired", "re-encrypted");
            });
        }
        try (KeyServiceClient o = KeyServiceClient.forPrincipal(endpoint, owner)) {
            List<AuditEvent> events = o.audit(AuditQuery.forModel(model));
            assertThat(events).filteredOn(e -> e.event().equals("model_key_retire")).singleElement()
                    .satisfies(e -> assertThat(e.reason()).contains("version=1"));
            // Storing version 1 again is refused: a retired version stays retired.
            assertThatThrownBy(() -> o.putModelKey(model, v1)).isInstanceOfSatisfying(KeyServiceException.class,
                    e -> assertThat(e.reason()).isEqualTo("conflict"));
            assertThatThrownBy(() -> o.retireModelKey(model, 2)).isInstanceOfSatisfying(KeyServiceException.class,
                    e -> assertThat(e.reason()).isEqualTo("conflict"));
        }
    }

    @Test
    void aModelFileStillUnderARetiredVersionIsRefusedWithAClearReason() throws Exception {
        ModelId model = new ModelId(owner.id(), "affine");
        ModelKey v1 = ModelKey.generate(1);
        publishAndGrant(model, v1);
        try (KeyServiceClient o = KeyServiceClient.forPrincipal(endpoint, owner)) {
            // The wrong order: version 2 stored and version 1 retired, but the model never re-uploaded.
            o.putModelKey(model, ModelKey.generate(2));
            assertThat(o.retireModelKey(model, 1)).isTrue();
        }
        float[] x = {1, 2, 3, 4};
        assertThatThrownBy(() -> client(runtime(), model).infer(request(floats("x", x, 1, 4)), true))
                .isInstanceOfSatisfying(RuntimeRejectedException.class, e -> {
                    assertThat(e.code()).isEqualTo("denied");
                    assertThat(e.reason()).isEqualTo("key_retired");
                    assertThat(e.getMessage()).contains("key version 1", "retired");
                });
    }
}
