package org.sesemi.keyservice;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sesemi.attestation.Measurement;
import org.sesemi.attestation.tee.SimulatedTee;
import org.sesemi.attestation.VerificationPolicy;
import org.sesemi.client.keyservice.Grant;
import org.sesemi.client.keyservice.KeyServiceClient;
import org.sesemi.client.keyservice.KeyServiceEndpoint;
import org.sesemi.client.keyservice.KeyServiceException;
import org.sesemi.crypto.ModelId;
import org.sesemi.crypto.ModelKey;
import org.sesemi.crypto.PrincipalId;
import org.sesemi.crypto.PrincipalIdentity;
import org.sesemi.crypto.RequestKey;
import org.sesemi.keyservice.store.KeyStore;
import org.sesemi.keyservice.store.StoreMaintenance;

/**
 * Crash safety: a KeyService child process (same class path) receives a stream of concurrent writes and is killed
 * with SIGKILL at random points; after every restart, every write it had acknowledged is there, and the final store
 * opens and verifies completely.
 */
class KeyServiceKillTest {
    @TempDir Path dir;

    record Child(Process process, URI uri, Measurement measurement) {}

    private Child start() throws Exception {
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), KeyServiceMain.class.getName(),
                "--db", dir.resolve("ks.db").toString(), "--simulated-dir", dir.resolve("tee").toString(), "--rate", "0");
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line = r.readLine(); // blocks until the child prints its LISTENING line (or dies: null)
        assertThat(line).as("child KeyService did not start").isNotNull().startsWith("LISTENING ");
        String[] w = line.split(" ");
        return new Child(p, URI.create("https://127.0.0.1:" + w[1]), Measurement.parse(w[2]));
    }

    private static KeyServiceEndpoint endpoint(Child c, Path teeDir) {
        return new KeyServiceEndpoint(c.uri(), VerificationPolicy.simulated(SimulatedTee.open(teeDir, "keyservice")).toBuilder()
                .expectMeasurement(c.measurement()).build());
    }

    @Test
    void sigkillDuringAStreamOfWritesLosesNoAcknowledgedWrite() throws Exception {
        long seed = System.nanoTime();
        Random rnd = new Random(seed);
        PrincipalIdentity owner = PrincipalIdentity.generate();
        ModelId model = new ModelId(owner.id(), "m");
        Measurement runtime = new Measurement("sgx:" + "ab".repeat(32));
        Set<PrincipalId> ackedGrants = ConcurrentHashMap.newKeySet();
        Map<Measurement, RequestKey> ackedRequestKeys = new ConcurrentHashMap<>();
        AtomicInteger counter = new AtomicInteger();
        Measurement ksMeasurement = null;
        int rounds = 5;
        for (int round = 0; round < rounds; round++) {
            Child child = start();
            ksMeasurement = child.measurement();
            try (KeyServiceClient c = KeyServiceClient.forPrincipal(endpoint(child, dir.resolve("tee")), owner)) {
                // Everything acknowledged before this kill must have survived all earlier kills.
                if (round == 0) {
                    c.register();
                    c.putModelKey(model, ModelKey.generate(1));
                }
                Set<PrincipalId> present = c.listGrants(model).stream().map(Grant::user).collect(Collectors.toSet());
                assertThat(present).as("seed %d round %d", seed, round).containsAll(ackedGrants);

                int killAfter = 20 + rnd.nextInt(200);
                AtomicInteger acksThisRound = new AtomicInteger();
                CountDownLatch enough = new CountDownLatch(1);
                ExecutorService writers = Executors.newVirtualThreadPerTaskExecutor();
                for (int w = 0; w < 4; w++) {
                    writers.submit(() -> {
                        while (true) {
                            int i = counter.incrementAndGet();
                            try {
                                if (i % 2 == 0) {
                                    PrincipalId user = PrincipalIdentity.generate().id();
                                    c.addGrant(model, user, runtime);
                                    ackedGrants.add(user);
                                } else {
                                    Measurement m = new Measurement("sgx:" + String.format("%064x", i));
                                    RequestKey k = RequestKey.generate();
                                    c.putRequestKey(model, m, k);
                                    ackedRequestKeys.put(m, k);
                                }
                            } catch (KeyServiceException e) {
                                return null; // the server is gone: this write was not acknowledged
                            }
                            if (acksThisRound.incrementAndGet() >= killAfter) {
                                enough.countDown();
                            }
                        }
                    });
                }
                assertThat(enough.await(60, TimeUnit.SECONDS)).as("writes stalled").isTrue();
                child.process().destroyForcibly(); // SIGKILL: no shutdown hook, no clean close
                child.process().waitFor(30, TimeUnit.SECONDS);
                writers.shutdown();
                assertThat(writers.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
            } finally {
                child.process().destroyForcibly();
                child.process().waitFor(30, TimeUnit.SECONDS);
            }
        }
        assertThat(ackedGrants.size() + ackedRequestKeys.size()).isGreaterThan(rounds * 20);

        // The final store (after a kill) opens in this JVM with the same TEE identity and holds every acknowledged write.
        SimulatedTee tee = SimulatedTee.open(dir.resolve("tee"), "keyservice");
        assertThat(tee.measurement()).as("same class path, same simulated measurement").isEqualTo(ksMeasurement);
        try (KeyStore store = KeyStore.open(dir.resolve("ks.db"), tee.sealingKey(), Clock.systemUTC())) {
            assertThat(store.grants(model).stream().map(g -> g.grant().user()).collect(Collectors.toSet())).containsAll(ackedGrants);
            for (var e : ackedRequestKeys.entrySet()) {
                assertThat(store.requestKey(model, e.getKey(), owner.id())).as("seed %d", seed).contains(e.getValue());
            }
        }
        var report = StoreMaintenance.verify(dir.resolve("ks.db"), tee.sealingKey());
        assertThat(report.findings()).as("the sealed state head matches the rows after every kill").isEmpty();
        assertThat(report.grants()).isGreaterThanOrEqualTo(ackedGrants.size());
        assertThat(report.requestKeys()).isGreaterThanOrEqualTo(ackedRequestKeys.size());
    }
}
