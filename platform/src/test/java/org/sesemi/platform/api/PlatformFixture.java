package org.sesemi.platform.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.sesemi.platform.PlatformConfig;
import org.sesemi.platform.PlatformServer;
import org.sesemi.platform.invoker.ContainerPool;
import org.sesemi.platform.invoker.ImageRegistry;
import org.sesemi.platform.invoker.InvokerConfig;
import org.sesemi.platform.testaction.TestAction;

/**
 * A real platform for wire-level tests: the {@link PlatformServer} on an ephemeral loopback port over a SQLite file,
 * backed by a real {@link ContainerPool} whose only image, {@code testaction}, starts {@link TestAction} processes.
 */
final class PlatformFixture implements AutoCloseable {
    static final String IMAGE = "testaction";
    static final String GUEST = PlatformServer.GUEST_API_KEY;
    static final String SYSTEM = PlatformServer.WHISK_SYSTEM_API_KEY;
    static final ObjectMapper JSON = new ObjectMapper();

    final ContainerPool pool;
    final PlatformServer server;
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    final URI base;

    private PlatformFixture(ContainerPool pool, PlatformServer server) {
        this.pool = pool;
        this.server = server;
        this.base = server.apiHost();
    }

    /** An image whose processes serve overlapping {@code /run}s (the action's {@code limits.concurrency} > 1). */
    static final String CONCURRENT_IMAGE = "testaction-concurrent";

    static ImageRegistry images() {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = List.of(java, "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx64m", "-cp",
                TestAction.isolatedClasspath(), TestAction.class.getName(), ImageRegistry.PORT);
        return ImageRegistry.of(Map.of(IMAGE, new ImageRegistry.Image(command, Map.of()),
                CONCURRENT_IMAGE, new ImageRegistry.Image(command, Map.of("__OW_ALLOW_CONCURRENT", "true"))));
    }

    static PlatformFixture start(Path dir, UnaryOperator<PlatformConfig.Builder> tweak) {
        return start(dir, tweak, 1024);
    }

    static PlatformFixture start(Path dir, UnaryOperator<PlatformConfig.Builder> tweak, int userMemoryMb) {
        ContainerPool pool = new ContainerPool(InvokerConfig.builder().userMemoryMb(userMemoryMb).build(), images());
        try {
            PlatformConfig cfg = tweak.apply(PlatformConfig.builder(dir.resolve("platform.db")).port(0)).build();
            return new PlatformFixture(pool, PlatformServer.start(cfg, pool));
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
    }

    /** Restarts the API over the same database (same pool). */
    PlatformFixture restart(Path dir, UnaryOperator<PlatformConfig.Builder> tweak) {
        server.close();
        PlatformConfig cfg = tweak.apply(PlatformConfig.builder(dir.resolve("platform.db")).port(0)).build();
        return new PlatformFixture(pool, PlatformServer.start(cfg, pool));
    }

    @Override
    public void close() {
        try {
            server.close();
        } finally {
            pool.close();
        }
    }

    record Resp(int status, HttpHeaders headers, String body) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException("not JSON: " + body, e);
            }
        }

        String header(String name) {
            return headers.firstValue(name).orElse(null);
        }

        String error() {
            return json().path("error").asText(null);
        }
    }

    static String basic(String apiKey) {
        return "Basic " + Base64.getEncoder().encodeToString(apiKey.getBytes(StandardCharsets.UTF_8));
    }

    Resp call(String method, String path, String body) {
        return call(method, path, body, GUEST);
    }

    Resp call(String method, String path, String body, String apiKey, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(90))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (apiKey != null) {
            b.header("Authorization", basic(apiKey));
        }
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return send(b.build());
    }

    Resp send(HttpRequest request) {
        try {
            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
            return new Resp(r.statusCode(), r.headers(), r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Sends raw bytes on a fresh socket (for requests {@link HttpClient} refuses to produce), optionally half-closing
     * the sending side, and returns everything the server answered until it closed or 10 s passed.
     */
    String raw(byte[] request, boolean halfClose) {
        try (java.net.Socket s = new java.net.Socket(base.getHost(), base.getPort())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(request);
            s.getOutputStream().flush();
            if (halfClose) {
                s.shutdownOutput();
            }
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            try {
                int n;
                while ((n = s.getInputStream().read(buf)) > 0) {
                    out.write(buf, 0, n);
                    String sofar = out.toString(StandardCharsets.UTF_8);
                    int headerEnd = sofar.indexOf("\r\n\r\n");
                    if (headerEnd > 0) {
                        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(sofar);
                        if (m.find() && out.size() >= headerEnd + 4 + Integer.parseInt(m.group(1))) {
                            break;
                        }
                    }
                }
            } catch (java.net.SocketException e) {
                // the server may reset after answering an over-long request; what arrived is the answer
            }
            return out.toString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String raw(String request, boolean halfClose) {
        return raw(request.getBytes(StandardCharsets.UTF_8), halfClose);
    }

    String authHeader() {
        return "Authorization: " + basic(GUEST) + "\r\n";
    }

    /** Creates a blackbox action of the test image; {@code extra} is merged into the body (JSON object members; one
     * starting with {@code "exec"} replaces the default exec). */
    Resp createAction(String path, String extra) {
        String exec = "\"exec\":{\"kind\":\"blackbox\",\"image\":\"" + IMAGE + "\"}";
        String body = extra.startsWith("\"exec\"") ? "{" + extra + "}" : "{" + exec + (extra.isEmpty() ? "" : "," + extra) + "}";
        return call("PUT", "/api/v1/namespaces/_/actions/" + path, body);
    }
}
