package org.sesemi.client.platform;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.StringJoiner;
import org.sesemi.time.SystemTime;

/**
 * The OpenWhisk REST API subset the official clients use (reference: {@code openwhisk.md} §2 and §4.3): create,
 * update, get, list and delete actions; invoke them blocking or not; read activation records, results and logs.
 *
 * <p>Names follow the official client: {@code name}, {@code pkg/name}, or {@code /ns/[pkg/]name} where the leading
 * {@code /ns} overrides the client's namespace. HTTP errors become {@link OpenWhiskException} carrying OpenWhisk's
 * error text and transaction id; the API key is only ever sent in the {@code Authorization} header and appears in no
 * message. Thread-safe.
 */
public final class OpenWhiskClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Activation ids are 32 hex characters. */
    private static final java.util.regex.Pattern ACTIVATION_ID = java.util.regex.Pattern.compile("[0-9a-f]{32}");

    private final URI base;
    private final String authorization;
    private final String namespace;
    private final HttpClient http;
    private final Duration requestTimeout;

    /**
     * @param apiHost e.g. {@code http://127.0.0.1:3233} (the API lives under {@code /api/v1})
     * @param apiKey {@code uuid:key}
     * @param namespace {@code _} for the key's own namespace
     */
    public OpenWhiskClient(URI apiHost, String apiKey, String namespace) {
        this(apiHost, apiKey, namespace, Duration.ofSeconds(90));
    }

    /** As above; {@code requestTimeout} bounds every HTTP exchange (a blocking invoke waits up to 60 s server-side). */
    public OpenWhiskClient(URI apiHost, String apiKey, String namespace, Duration requestTimeout) {
        this(apiHost, apiKey, namespace, requestTimeout, null);
    }

    /**
     * As above, for an HTTPS API host whose certificate the JDK's default trust store does not know (a cluster's
     * self-signed certificate or private CA): {@code tls} decides what to trust, e.g. {@link #trusting(java.nio.file.Path)}.
     * Host names are still verified: the certificate must name the API host (subject alternative name).
     */
    public OpenWhiskClient(URI apiHost, String apiKey, String namespace, Duration requestTimeout, javax.net.ssl.SSLContext tls) {
        String s = apiHost.toString();
        this.base = URI.create((s.endsWith("/") ? s : s + "/") + "api/v1/");
        if (!apiKey.contains(":")) {
            throw new IllegalArgumentException("an OpenWhisk API key has the form uuid:key");
        }
        this.authorization = authorization(apiKey);
        this.namespace = namespace == null || namespace.isEmpty() ? "_" : namespace;
        this.requestTimeout = requestTimeout;
        HttpClient.Builder builder = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10));
        if (tls != null) {
            builder.sslContext(tls);
        }
        this.http = builder.build();
    }

    /**
     * A TLS context that trusts exactly the certificates in {@code pemFile} (PEM, one or more): the API host's
     * self-signed certificate or the CA that issued it.
     *
     * @throws IllegalArgumentException the file cannot be read or holds no certificate
     */
    public static javax.net.ssl.SSLContext trusting(java.nio.file.Path pemFile) {
        try (java.io.InputStream in = java.nio.file.Files.newInputStream(pemFile)) {
            var certificates = java.security.cert.CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certificates.isEmpty()) {
                throw new IllegalArgumentException("no certificate in " + pemFile);
            }
            java.security.KeyStore store = java.security.KeyStore.getInstance("PKCS12");
            store.load(null, null);
            int i = 0;
            for (var c : certificates) {
                store.setCertificateEntry("trusted-" + i++, c);
            }
            javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            return context;
        } catch (java.io.IOException | java.security.GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot use " + pemFile + " as trusted certificates: " + e.getMessage(), e);
        }
    }

    // ------------------------------------------------------------------ actions

    /** A blackbox action: a runtime image with limits, parameters and init-time parameters (sent to {@code /init} as env). */
    public record BlackboxAction(String image, Optional<Integer> memoryMb, Optional<Integer> timeoutMs, Optional<Integer> concurrency,
            Map<String, ?> parameters, Map<String, ?> initParameters, Map<String, ?> annotations) {
        public BlackboxAction {
            parameters = Map.copyOf(parameters);
            initParameters = Map.copyOf(initParameters);
            annotations = Map.copyOf(annotations);
        }

        /** A blackbox action running {@code image}, with the platform's default limits and no parameters. */
        public static BlackboxAction of(String image) {
            return new BlackboxAction(image, Optional.empty(), Optional.empty(), Optional.empty(), Map.of(), Map.of(), Map.of());
        }

        /** With {@code limits.memory} in MB. */
        public BlackboxAction withMemoryMb(int mb) {
            return new BlackboxAction(image, Optional.of(mb), timeoutMs, concurrency, parameters, initParameters, annotations);
        }

        /** With {@code limits.timeout} in ms. */
        public BlackboxAction withTimeoutMs(int ms) {
            return new BlackboxAction(image, memoryMb, Optional.of(ms), concurrency, parameters, initParameters, annotations);
        }

        /** With {@code limits.concurrency}: activations one container serves at once. */
        public BlackboxAction withConcurrency(int n) {
            return new BlackboxAction(image, memoryMb, timeoutMs, Optional.of(n), parameters, initParameters, annotations);
        }

        /** With parameters passed to the container's {@code /init} only (OpenWhisk {@code "init": true} parameters). */
        public BlackboxAction withInitParameters(Map<String, ?> p) {
            return new BlackboxAction(image, memoryMb, timeoutMs, concurrency, parameters, p, annotations);
        }

        /** With default parameters merged into every invocation. */
        public BlackboxAction withParameters(Map<String, ?> p) {
            return new BlackboxAction(image, memoryMb, timeoutMs, concurrency, p, initParameters, annotations);
        }

        /** The PUT body ({@code WhiskActionPut}). */
        public ObjectNode toJson() {
            ObjectNode body = JSON.createObjectNode();
            body.putObject("exec").put("kind", "blackbox").put("image", image);
            ArrayNode params = body.putArray("parameters");
            parameters.forEach((k, v) -> params.addObject().put("key", k).set("value", JSON.valueToTree(v)));
            initParameters.forEach((k, v) -> params.addObject().put("key", k).put("init", true).set("value", JSON.valueToTree(v)));
            ObjectNode limits = JSON.createObjectNode();
            memoryMb.ifPresent(m -> limits.put("memory", m));
            timeoutMs.ifPresent(t -> limits.put("timeout", t));
            concurrency.ifPresent(c -> limits.put("concurrency", c));
            if (!limits.isEmpty()) {
                body.set("limits", limits);
            }
            ArrayNode ann = body.putArray("annotations");
            annotations.forEach((k, v) -> ann.addObject().put("key", k).set("value", JSON.valueToTree(v)));
            return body;
        }
    }

    // ------------------------------------------------------------------ limits

    /**
     * A namespace's limits as the platform publishes them ({@code GET /namespaces/{ns}/limits}, OpenWhisk's user limits).
     * A field the platform does not send is empty (older OpenWhisk releases send only the throttles).
     *
     * @param maxActionMemoryMb largest {@code limits.memory} of an action
     * @param minActionMemoryMb smallest {@code limits.memory}
     * @param maxActionConcurrency largest {@code limits.concurrency} (1 on a stock OpenWhisk)
     * @param maxActionTimeoutMs largest {@code limits.timeout}
     * @param maxPayloadBytes largest invoke body: {@code maxPayloadSize} where the platform publishes it (the embedded
     *     platform does), else {@code maxParameterSize}
     */
    public record NamespaceLimits(java.util.OptionalInt maxActionMemoryMb, java.util.OptionalInt minActionMemoryMb,
            java.util.OptionalInt maxActionConcurrency, java.util.OptionalInt maxActionTimeoutMs, OptionalLong maxPayloadBytes) {
        /** Parses the document; fields of the wrong type count as absent. */
        public static NamespaceLimits parse(JsonNode doc) {
            OptionalLong payload = byteSize(doc.path("maxPayloadSize"));
            return new NamespaceLimits(positive(doc, "maxActionMemory"), positive(doc, "minActionMemory"), positive(doc, "maxActionConcurrency"),
                    positive(doc, "maxActionTimeout"), payload.isPresent() ? payload : byteSize(doc.path("maxParameterSize")));
        }

        private static java.util.OptionalInt positive(JsonNode doc, String field) {
            JsonNode v = doc.path(field);
            return v.canConvertToInt() && v.isIntegralNumber() && v.asInt() > 0 ? java.util.OptionalInt.of(v.asInt())
                    : java.util.OptionalInt.empty();
        }

        /** OpenWhisk prints a {@code ByteSize} as {@code "<n> B|KB|MB|GB"}; a bare number counts as bytes. */
        static OptionalLong byteSize(JsonNode v) {
            if (v.isIntegralNumber() && v.asLong() > 0) {
                return OptionalLong.of(v.asLong());
            }
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\s*(\\d{1,12})\\s*(B|KB|MB|GB)?\\s*",
                    java.util.regex.Pattern.CASE_INSENSITIVE).matcher(v.asText(""));
            if (!v.isTextual() || !m.matches()) {
                return OptionalLong.empty();
            }
            String unit = m.group(2) == null ? "B" : m.group(2).toUpperCase(java.util.Locale.ROOT);
            int shift = switch (unit) {
                case "KB" -> 10;
                case "MB" -> 20;
                case "GB" -> 30;
                default -> 0;
            };
            long n = Long.parseLong(m.group(1));
            return n > 0 ? OptionalLong.of(n << shift) : OptionalLong.empty();
        }
    }

    /** This namespace's limits ({@code GET /namespaces/{ns}/limits}). */
    public NamespaceLimits limits() throws OpenWhiskException, IOException, InterruptedException {
        return NamespaceLimits.parse(send("GET", "namespaces/" + seg(namespace) + "/limits", null).body());
    }

    /** Creates ({@code overwrite=false}: 409 if it exists) or updates an action from a full PUT body; returns the stored action. */
    public JsonNode putAction(String name, ObjectNode body, boolean overwrite) throws OpenWhiskException, IOException, InterruptedException {
        return send("PUT", entity("actions", name) + "?overwrite=" + overwrite, body).body();
    }

    /** As {@link #putAction(String, ObjectNode, boolean)} for a blackbox action. */
    public JsonNode putAction(String name, BlackboxAction action, boolean overwrite) throws OpenWhiskException, IOException, InterruptedException {
        return putAction(name, action.toJson(), overwrite);
    }

    /** The stored action; {@code code} asks for its code too. */
    public JsonNode getAction(String name, boolean code) throws OpenWhiskException, IOException, InterruptedException {
        return send("GET", entity("actions", name) + "?code=" + code, null).body();
    }

    /** Returns the deleted action. */
    public JsonNode deleteAction(String name) throws OpenWhiskException, IOException, InterruptedException {
        return send("DELETE", entity("actions", name), null).body();
    }

    /** Action summaries, {@code limit} 1..200. */
    public List<JsonNode> listActions(int skip, int limit) throws OpenWhiskException, IOException, InterruptedException {
        return elements(send("GET", "namespaces/" + seg(namespace) + "/actions?skip=" + skip + "&limit=" + limit, null).body());
    }

    // ------------------------------------------------------------------ invocations

    /**
     * The answer to an invoke: HTTP status, the activation id (always known, from the body or the
     * {@code x-openwhisk-activation-id} header), and the body — the activation record for a completed blocking
     * invoke, {@code {"activationId"}} when the server answered 202 (non-blocking, or blocking past its wait).
     */
    public record Invoked(int status, String activationId, JsonNode body) {
        /** True when the body is a completed activation record. */
        public boolean completed() {
            return body.has("response");
        }

        /** {@code response.result} of a completed activation. */
        public JsonNode result() {
            if (!completed()) {
                throw new IllegalStateException("activation " + activationId + " has not completed (HTTP " + status + ")");
            }
            return body.path("response").path("result");
        }

        /** {@code response.success} of a completed activation. */
        public boolean success() {
            return completed() && body.path("response").path("success").asBoolean(false);
        }

        /** An annotation of the activation record ({@code initTime}, {@code waitTime}, {@code kind}, ...). */
        public Optional<JsonNode> annotation(String key) {
            return OpenWhiskClient.annotation(body, key);
        }
    }

    /**
     * Invokes an action. Blocking invocations whose action failed are answered 502/500 by OpenWhisk with the full
     * record; they are returned, not thrown, so callers can read the error result. Other HTTP errors throw.
     *
     * @param waitMs for blocking invokes, how long the server may wait (1..60000), else ignored
     */
    public Invoked invoke(String name, JsonNode params, boolean blocking, long waitMs) throws OpenWhiskException, IOException, InterruptedException {
        StringBuilder q = new StringBuilder("?blocking=").append(blocking);
        if (blocking) {
            q.append("&timeout=").append(waitMs);
        }
        Response r = send("POST", entity("actions", name) + q, params == null ? JSON.createObjectNode() : params, 502, 500);
        String id = r.body().path("activationId").asText(r.activationHeader().orElse(""));
        return new Invoked(r.status(), id, r.body());
    }

    /**
     * A blocking invoke whose parameters are JSON bytes already (e.g. a request envelope the caller checked) and whose
     * answer is read once, as a stream, and kept as received ({@link RawInvoked}): for a forwarder that passes the
     * parameters and the activation's result on without parsing them into trees and writing them again. Errors as
     * {@link #invoke}: a failed activation's record (502/500) is returned, other HTTP errors throw.
     *
     * @param paramsJson a JSON object (not checked here; the platform refuses anything else)
     * @param waitMs how long the server may wait (1..60000)
     */
    public RawInvoked invokeRaw(String name, byte[] paramsJson, long waitMs) throws OpenWhiskException, IOException, InterruptedException {
        String path = entity("actions", name) + "?blocking=true&timeout=" + waitMs;
        HttpRequest req = HttpRequest.newBuilder(base.resolve(path)).timeout(requestTimeout)
                .header("Authorization", authorization).header("Accept", "application/json").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(paramsJson)).build();
        HttpResponse<byte[]> r = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
        RawInvoked.Summary s = RawInvoked.summarize(r.body());
        int status = r.statusCode();
        if (status >= 400 && !((status == 502 || status == 500) && s.completed())) {
            String error = s.error() != null ? s.error() : s.resultError() != null ? s.resultError() : "no error text in the answer";
            throw new OpenWhiskException("POST", "/api/v1/" + path.replaceFirst("\\?.*", ""), status, error, Optional.ofNullable(s.code()));
        }
        return RawInvoked.of(status, r.headers().firstValue("x-openwhisk-activation-id"), r.body(), s);
    }

    // ------------------------------------------------------------------ activations

    /** The full activation record (with logs). */
    public JsonNode activation(String activationId) throws OpenWhiskException, IOException, InterruptedException {
        return send("GET", activationPath(activationId), null).body();
    }

    /** {@code {"result", "success", "status", "size"?}}. */
    public JsonNode activationResult(String activationId) throws OpenWhiskException, IOException, InterruptedException {
        return send("GET", activationPath(activationId) + "/result", null).body();
    }

    /** The activation's log lines. */
    public List<String> activationLogs(String activationId) throws OpenWhiskException, IOException, InterruptedException {
        List<String> out = new ArrayList<>();
        send("GET", activationPath(activationId) + "/logs", null).body().path("logs").forEach(l -> out.add(l.asText()));
        return out;
    }

    /**
     * Activation records, newest first.
     *
     * @param name restrict to one action ({@code [pkg/]name}), or null
     * @param since, upto epoch-ms bounds, or empty
     * @param docs full records (true) or summaries
     */
    public List<JsonNode> listActivations(String name, int skip, int limit, OptionalLong since, OptionalLong upto, boolean docs)
            throws OpenWhiskException, IOException, InterruptedException {
        StringJoiner q = new StringJoiner("&", "?", "");
        if (name != null) {
            q.add("name=" + URLEncoder.encode(name, StandardCharsets.UTF_8));
        }
        q.add("skip=" + skip).add("limit=" + limit).add("docs=" + docs);
        since.ifPresent(s -> q.add("since=" + s));
        upto.ifPresent(u -> q.add("upto=" + u));
        return elements(send("GET", "namespaces/" + seg(namespace) + "/activations" + q, null).body());
    }

    /** Polls until the activation's record exists (a non-blocking invoke has completed) or {@code max} passes. */
    public Optional<JsonNode> awaitActivation(String activationId, Duration max) throws OpenWhiskException, IOException, InterruptedException {
        long deadline = SystemTime.ticker().read() + max.toNanos();
        long pause = 20;
        while (true) {
            try {
                return Optional.of(activation(activationId));
            } catch (OpenWhiskException e) {
                if (e.status() != 404) {
                    throw e;
                }
            }
            if (SystemTime.ticker().read() > deadline) {
                return Optional.empty();
            }
            Thread.sleep(pause);
            pause = Math.min(pause * 2, 500);
        }
    }

    /** An annotation of an action or activation document, by key. */
    public static Optional<JsonNode> annotation(JsonNode doc, String key) {
        for (JsonNode a : doc.path("annotations")) {
            if (key.equals(a.path("key").asText())) {
                return Optional.of(a.path("value"));
            }
        }
        return Optional.empty();
    }

    /** The {@code Authorization} header value for an API key {@code uuid:key}. */
    public static String authorization(String apiKey) {
        return "Basic " + Base64.getEncoder().encodeToString(apiKey.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The URI that invokes {@code action} ({@code [pkg/]name}, {@code /ns/[pkg/]name}) on {@code apiHost}, in the
     * key's own namespace unless the name says otherwise, with the given query ({@code blocking=true&...}).
     */
    public static URI invokeUri(URI apiHost, String action, String query) {
        String s = apiHost.toString();
        return URI.create((s.endsWith("/") ? s : s + "/") + "api/v1/" + entity("_", "actions", action) + "?" + query);
    }

    // ------------------------------------------------------------------ plumbing

    private record Response(int status, JsonNode body, Optional<String> activationHeader) {}

    private Response send(String method, String path, JsonNode body, int... acceptedErrors) throws OpenWhiskException, IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(requestTimeout)
                .header("Authorization", authorization).header("Accept", "application/json");
        if (body != null) {
            b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        JsonNode json = parse(r.body());
        Optional<String> id = r.headers().firstValue("x-openwhisk-activation-id");
        int status = r.statusCode();
        if (status >= 400 && java.util.Arrays.stream(acceptedErrors).noneMatch(s -> s == status && json.has("response"))) {
            String error = json.path("error").isTextual() ? json.path("error").asText()
                    : json.path("response").path("result").path("error").asText("no error text in the answer");
            Optional<String> code = json.path("code").isValueNode() ? Optional.of(json.path("code").asText()) : Optional.empty();
            throw new OpenWhiskException(method, "/api/v1/" + path.replaceFirst("\\?.*", ""), status, error, code);
        }
        return new Response(status, json, id);
    }

    private static JsonNode parse(byte[] body) {
        if (body.length == 0) {
            return JSON.createObjectNode();
        }
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            return JSON.createObjectNode().put("error", "the server answered with a body that is not JSON");
        }
    }

    private static List<JsonNode> elements(JsonNode array) {
        List<JsonNode> out = new ArrayList<>();
        array.forEach(out::add);
        return out;
    }

    private String activationPath(String id) {
        if (!ACTIVATION_ID.matcher(id).matches()) {
            throw new IllegalArgumentException("an activation id is 32 lowercase hex characters");
        }
        return "namespaces/" + seg(namespace) + "/activations/" + id;
    }

    private String entity(String collection, String name) {
        return entity(namespace, collection, name);
    }

    /** {@code namespaces/{ns}/{collection}/{[pkg/]name}}, with a leading {@code /ns/} in the name overriding the namespace. */
    private static String entity(String namespace, String collection, String name) {
        String ns = namespace;
        String rest = name;
        if (name.startsWith("/")) {
            String[] parts = name.substring(1).split("/", 2);
            if (parts.length < 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
                throw new IllegalArgumentException("a fully qualified name has the form /namespace/[package/]name");
            }
            ns = parts[0];
            rest = parts[1];
        }
        StringJoiner path = new StringJoiner("/");
        for (String s : rest.split("/", -1)) {
            if (s.isEmpty()) {
                throw new IllegalArgumentException("empty name segment in '" + name + "'");
            }
            path.add(seg(s));
        }
        return "namespaces/" + seg(ns) + "/" + collection + "/" + path;
    }

    private static String seg(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
