package org.sesemi.platform.testaction;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A test workload that speaks the OpenWhisk action protocol ({@code POST /init} once, {@code POST /run} many times)
 * on a loopback port, so platform tests can drive the invoker against a real process without Docker.
 *
 * <p>Launch: {@code java -cp <test classpath> org.sesemi.platform.testaction.TestAction <port>}. Every path the
 * invoker must handle can be provoked through the {@code /run} {@code value}:
 * <ul>
 *   <li>default: echo the params plus {@code _context} (activation id, action name, namespace, version, transaction
 *       id, deadline, whether an api key came, the {@code /init} env, the process id and env {@code TEST_ACTION_TAG});
 *   <li>{@code {"log": ["a","b"]}} prints those lines to stdout; {@code {"errLog": [...]}} to stderr;
 *   <li>{@code {"sleepMs": n}} sleeps before answering;
 *   <li>{@code {"error": "..."}} answers 200 with that error (an application error);
 *   <li>{@code {"crash": true}} halts the process without answering;
 *   <li>{@code {"badJson": true}} answers 200 with a non-JSON body;
 *   <li>{@code {"result": X}} answers 200 with {@code X} verbatim (e.g. a number or an array);
 *   <li>{@code {"status": n}} answers HTTP {@code n} with {@code {"error": ...}};
 *   <li>{@code {"busyUntil": epochMs}} answers 503 (busy) until then, like a runtime whose admission queue is full;
 *   <li>{@code {"busyInPid": pid}} answers 503 when this process has that id (one container refuses, others serve).
 * </ul>
 * {@code /init} whose {@code value.code} is {@code "fail-init"} answers 502; {@code "sleep-init:<ms>"} sleeps first.
 * The activation-end sentinel goes to stdout and stderr after every {@code /run} and after a failed {@code /init}.
 * Without env {@code __OW_ALLOW_CONCURRENT=true} a second overlapping {@code /run} is refused with 403, as the
 * Node.js runtime does.
 */
public final class TestAction {
    public static final String SENTINEL = "XXX_THE_END_OF_A_WHISK_ACTIVATION_XXX";
    private static final int MAX_BODY = 50 * 1024 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final boolean concurrent = "true".equals(System.getenv("__OW_ALLOW_CONCURRENT"));
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicReference<ObjectNode> initEnv = new AtomicReference<>();
    private final Object outputLock = new Object();

    private TestAction() {}

    private static volatile String isolatedClasspath;

    /**
     * A classpath for launching this program that does not depend on {@code target/test-classes}: this class file is
     * copied to a private temporary directory, and only the jar entries of {@code java.class.path} are kept. Tests use it
     * so that a concurrent rebuild of the module cannot make the child JVM fail with a missing class.
     */
    public static String isolatedClasspath() {
        String cached = isolatedClasspath;
        if (cached != null) {
            return cached;
        }
        synchronized (TestAction.class) {
            if (isolatedClasspath == null) {
                try {
                    java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("sesemi-test-action");
                    java.nio.file.Path pkg = dir.resolve(TestAction.class.getPackageName().replace('.', '/'));
                    java.nio.file.Files.createDirectories(pkg);
                    java.nio.file.Path file = pkg.resolve("TestAction.class");
                    try (InputStream in = TestAction.class.getResourceAsStream("TestAction.class")) {
                        java.nio.file.Files.write(file, in.readAllBytes());
                    }
                    for (java.nio.file.Path p : java.util.List.of(dir, pkg.getParent().getParent().getParent(),
                            pkg.getParent().getParent(), pkg.getParent(), pkg, file)) {
                        // deleteOnExit runs in reverse order of registration: the file first, the directory last.
                        p.toFile().deleteOnExit();
                    }
                    StringBuilder cp = new StringBuilder(dir.toString());
                    for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
                        if (entry.endsWith(".jar")) {
                            cp.append(java.io.File.pathSeparator).append(entry);
                        }
                    }
                    isolatedClasspath = cp.toString();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
            return isolatedClasspath;
        }
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: TestAction <port>");
            System.exit(64);
        }
        int port = Integer.parseInt(args[0]);
        TestAction action = new TestAction();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/init", exchange -> action.handle(exchange, true));
        server.createContext("/run", exchange -> action.handle(exchange, false));
        server.start();
    }

    private void handle(HttpExchange exchange, boolean init) throws IOException {
        try (exchange) {
            if (!"POST".equals(exchange.getRequestMethod())) {
                respond(exchange, 405, error("only POST is supported"));
                return;
            }
            JsonNode body;
            try {
                body = JSON.readTree(readBounded(exchange.getRequestBody()));
            } catch (IOException | RuntimeException e) {
                if (!init) {
                    sentinels();
                }
                respond(exchange, 400, error("Bad request: " + e.getMessage()));
                return;
            }
            if (body == null || !body.isObject()) {
                respond(exchange, 400, error("Bad request: body must be a JSON object"));
                return;
            }
            if (init) {
                init(exchange, (ObjectNode) body);
            } else {
                run(exchange, (ObjectNode) body);
            }
        } catch (RuntimeException e) {
            e.printStackTrace();
        }
    }

    private void init(HttpExchange exchange, ObjectNode body) throws IOException {
        JsonNode value = body.path("value");
        String code = value.path("code").asText("");
        if (code.startsWith("sleep-init:")) {
            sleep(Long.parseLong(code.substring("sleep-init:".length())));
        }
        if ("fail-init".equals(code)) {
            synchronized (outputLock) {
                System.err.println("init failed on purpose");
            }
            sentinels();
            respond(exchange, 502, error("The action failed to initialize (fail-init requested)."));
            return;
        }
        ObjectNode env = value.path("env").isObject() ? (ObjectNode) value.get("env") : JSON.createObjectNode();
        if (!initEnv.compareAndSet(null, env)) {
            String message = "Cannot initialize the action more than once.";
            synchronized (outputLock) {
                System.out.println(message);
                System.err.println(message);
            }
            respond(exchange, 403, error(message));
            return;
        }
        respond(exchange, 200, "{\"ok\":true}");
    }

    private void run(HttpExchange exchange, ObjectNode body) throws IOException {
        if (initEnv.get() == null) {
            sentinels();
            respond(exchange, 502, error("Cannot invoke an uninitialized action."));
            return;
        }
        if (!concurrent && !running.compareAndSet(false, true)) {
            respond(exchange, 403, error("System not ready, status is running."));
            return;
        }
        try {
            JsonNode value = body.path("value");
            if (value.has("log") || value.has("errLog")) {
                synchronized (outputLock) {
                    value.path("log").forEach(line -> System.out.println(line.asText()));
                    value.path("errLog").forEach(line -> System.err.println(line.asText()));
                }
            }
            if (value.has("sleepMs")) {
                sleep(value.get("sleepMs").asLong());
            }
            if (value.path("crash").asBoolean(false)) {
                System.out.flush();
                System.err.flush();
                Runtime.getRuntime().halt(3);
            }
            sentinels();
            if (value.path("badJson").asBoolean(false)) {
                respond(exchange, 200, "this is not JSON {");
            } else if (value.has("result")) {
                respond(exchange, 200, JSON.writeValueAsString(value.get("result")));
            } else if (value.has("busyUntil") && System.currentTimeMillis() < value.get("busyUntil").asLong()
                    || value.path("busyInPid").asLong(-1) == ProcessHandle.current().pid()) {
                respond(exchange, 503, error("busy"));
            } else if (value.has("status")) {
                int status = value.get("status").asInt();
                respond(exchange, status, error("status " + status + " requested"));
            } else if (value.has("error")) {
                ObjectNode result = JSON.createObjectNode();
                result.set("error", value.get("error"));
                respond(exchange, 200, JSON.writeValueAsString(result));
            } else {
                ObjectNode result = value.isObject() ? ((ObjectNode) value).deepCopy() : JSON.createObjectNode();
                ObjectNode context = result.putObject("_context");
                for (String key : new String[] {"activation_id", "action_name", "namespace", "action_version", "transaction_id",
                        "deadline"}) {
                    context.set(key, body.get(key));
                }
                context.put("api_key_present", body.has("api_key"));
                context.set("init_env", initEnv.get());
                context.put("pid", ProcessHandle.current().pid());
                context.put("tag", System.getenv().getOrDefault("TEST_ACTION_TAG", ""));
                respond(exchange, 200, JSON.writeValueAsString(result));
            }
        } finally {
            running.set(false);
        }
    }

    private void sentinels() {
        synchronized (outputLock) {
            System.out.println(SENTINEL);
            System.out.flush();
            System.err.println(SENTINEL);
            System.err.flush();
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static byte[] readBounded(InputStream in) throws IOException {
        byte[] bytes = in.readNBytes(MAX_BODY + 1);
        if (bytes.length > MAX_BODY) {
            throw new IOException("body larger than " + MAX_BODY + " bytes");
        }
        return bytes;
    }

    private static String error(String message) {
        return JSON.createObjectNode().put("error", message).toString();
    }

    /** Always a fixed Content-Length: the invoker treats a chunked answer as no answer. */
    private static void respond(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    static {
        // Keep user output line-buffered and UTF-8 regardless of platform defaults.
        System.setOut(new PrintStream(System.out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(System.err, true, StandardCharsets.UTF_8));
    }
}
