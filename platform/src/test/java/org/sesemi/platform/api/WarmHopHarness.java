package org.sesemi.platform.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.sesemi.platform.testaction.TestAction;
import org.sesemi.time.SystemTime;
import org.sesemi.time.Ticker;

/**
 * The platform's warm hop (issue #13), measured alone: the same warm request (a 4 KiB parameter, echoed) through the
 * platform's blocking invoke and straight to {@code /run} of a second container of the same image, interleaved, so
 * both paths see the same machine load. Reports the p50s and what the platform adds. A measurement, not a check: runs
 * only with {@code -Dsesemi.warmhop=true} ({@code -Dsesemi.warmhop.requests=N}, default 500).
 */
@EnabledIfSystemProperty(named = "sesemi.warmhop", matches = "true", disabledReason = "a measurement: -Dsesemi.warmhop=true")
class WarmHopHarness {
    @TempDir Path dir;

    @Test
    void platformAddedWarmLatency() throws Exception {
        int requests = Integer.getInteger("sesemi.warmhop.requests", 500);
        String payload = "x".repeat(4096);
        Ticker ticker = SystemTime.ticker();
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx64m", "-cp",
                TestAction.isolatedClasspath(), TestAction.class.getName(), Integer.toString(port))
                .redirectErrorStream(true).redirectOutput(Files.createFile(dir.resolve("direct.log")).toFile());
        pb.environment().put("__OW_ALLOW_CONCURRENT", "true");
        Process direct = pb.start();
        try (PlatformFixture p = PlatformFixture.start(dir, c -> c)) {
            assertThat(p.createAction("hop", "\"exec\":{\"kind\":\"blackbox\",\"image\":\"" + PlatformFixture.CONCURRENT_IMAGE
                    + "\"},\"limits\":{\"memory\":256,\"concurrency\":8,\"timeout\":60000}").status()).isEqualTo(200);
            awaitListening(port);
            URI run = URI.create("http://127.0.0.1:" + port + "/run");
            post(http, URI.create("http://127.0.0.1:" + port + "/init"), "{\"value\":{\"name\":\"hop\",\"main\":\"main\",\"code\":\"c\","
                    + "\"binary\":false,\"env\":{}}}");
            HttpRequest viaPlatform = HttpRequest.newBuilder(p.base.resolve("/api/v1/namespaces/_/actions/hop?blocking=true&result=true"))
                    .header("Authorization", PlatformFixture.basic(PlatformFixture.GUEST)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"payload\":\"" + payload + "\"}")).build();
            HttpRequest straight = HttpRequest.newBuilder(run).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"value\":{\"payload\":\"" + payload + "\"},\"namespace\":\"guest\","
                            + "\"action_name\":\"/guest/hop\",\"activation_id\":\"0\",\"transaction_id\":\"t\",\"deadline\":\"0\"}"))
                    .build();
            int warmup = Math.max(100, requests / 2);
            for (int i = 0; i < warmup; i++) {
                assertThat(send(http, viaPlatform)).contains(payload);
                assertThat(send(http, straight)).contains(payload);
            }
            double[] platform = new double[requests], plain = new double[requests];
            for (int i = 0; i < requests; i++) {
                boolean platformFirst = i % 2 == 0;
                for (int k = 0; k < 2; k++) {
                    boolean viaP = platformFirst == (k == 0);
                    long t0 = ticker.read();
                    String body = send(http, viaP ? viaPlatform : straight);
                    double ms = ticker.elapsedMillis(t0);
                    assertThat(body).contains(payload);
                    (viaP ? platform : plain)[i] = ms;
                }
            }
            double pp = p50(platform), pd = p50(plain);
            String load = Files.readString(Path.of("/proc/loadavg")).trim();
            System.out.printf("WARMHOP requests=%d platform_p50_ms=%.3f direct_p50_ms=%.3f added_p50_ms=%.3f ratio=%.2f "
                            + "platform_p90_ms=%.3f direct_p90_ms=%.3f load=[%s]%n", requests, pp, pd, pp - pd, pp / pd,
                    pct(platform, 0.9), pct(plain, 0.9), load);
        } finally {
            direct.destroyForcibly();
        }
    }

    private static String send(HttpClient http, HttpRequest r) throws IOException, InterruptedException {
        HttpResponse<String> resp = http.send(r, HttpResponse.BodyHandlers.ofString());
        assertThat(resp.statusCode()).as(resp.body()).isEqualTo(200);
        return resp.body();
    }

    private static void post(HttpClient http, URI uri, String body) throws IOException, InterruptedException {
        send(http, HttpRequest.newBuilder(uri).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body))
                .build());
    }

    private static void awaitListening(int port) throws InterruptedException {
        for (int i = 0; i < 600; i++) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException e) {
                Thread.sleep(50);
            }
        }
        throw new IllegalStateException("the direct TestAction did not listen on " + port);
    }

    private static double p50(double[] xs) {
        return pct(xs, 0.5);
    }

    private static double pct(double[] xs, double q) {
        double[] s = xs.clone();
        Arrays.sort(s);
        return s[Math.min(s.length - 1, (int) Math.floor(q * s.length))];
    }
}
