package org.sesemi.platform.api;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import org.sesemi.platform.PlatformConfig;
import org.sesemi.platform.invoker.ActivationOutcome;
import org.sesemi.platform.invoker.Invoker;
import org.sesemi.platform.store.BillingRow;
import org.sesemi.platform.store.ConflictException;
import org.sesemi.platform.store.PlatformStore;
import org.sesemi.platform.store.PlatformStore.ActivationQuery;
import org.sesemi.platform.store.StoredAction;
import org.sesemi.platform.store.StoredActivation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The REST API as one {@link HttpHandler}: route, authenticate, authorise the namespace, parse strictly, call the
 * store / {@link Activator}, encode. {@link #handle} is the one place where errors become a status and an
 * {@code {"error": ..., "code": <transaction id>}} body. Every response carries the transaction id
 * ({@code X-Request-ID}) and {@code Access-Control-Allow-Origin: *}.
 *
 * <p>Routes: {@code GET /}, {@code GET /api/v1}, {@code GET /api/v1/namespaces}, and under
 * {@code /api/v1/namespaces/{ns}/}: {@code actions} (list, {@code pkg/} list, PUT/GET/DELETE/POST of
 * {@code [pkg/]name}), {@code activations} (list, get, {@code /result}, {@code /logs}), {@code limits}, empty
 * {@code packages}/{@code triggers}/{@code rules} lists; plus {@code GET /sesemi/v1/billing}. Thread-safe.
 */
public final class PlatformApi implements HttpHandler {
    private static final Logger LOG = LoggerFactory.getLogger(PlatformApi.class);
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    /**
     * Deepest JSON nesting accepted in a request body (invoke parameters included); deeper gives 400 here, before any
     * container is involved. The runtime ({@code RuntimeServer.MAX_PARAMETER_DEPTH}) parses every {@code /run} body
     * built from parameters this deep, so a bad request never reaches a container as a body it cannot read.
     */
    public static final int MAX_JSON_DEPTH = 1000;
    private static final ObjectMapper JSON = new ObjectMapper(com.fasterxml.jackson.core.JsonFactory.builder()
            .streamReadConstraints(com.fasterxml.jackson.core.StreamReadConstraints.builder().maxNestingDepth(MAX_JSON_DEPTH).build())
            .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String TX_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    private static final int MAX_TX_ID = 64, MAX_QUERY = 8192, LIST_MAX = 200, LIST_DEFAULT = 30, MAX_BLOCKING_WAIT = 60_000;
    /** A refused body is read (and discarded) up to this much beyond its limit, to report its size. */
    private static final long DRAIN_LIMIT = 8L << 20;
    private static final long DRAIN_IDLE_NANOS = 1_000_000_000L;

    private final PlatformConfig config;
    private final PlatformStore store;
    private final Authenticator auth;
    private final Throttles throttles;
    private final Activator activator;
    private final ActionDocuments documents;
    private final LongSupplier clock;
    private final String build;

    public PlatformApi(PlatformConfig config, PlatformStore store, Invoker invoker, Throttles throttles, LongSupplier clock,
            String build) {
        this.config = config;
        this.store = store;
        this.auth = new Authenticator(store);
        this.throttles = throttles;
        this.activator = new Activator(store, invoker, clock);
        this.documents = new ActionDocuments(config);
        this.clock = clock;
        this.build = build;
    }

    /** One request's context. */
    private record Req(HttpExchange ex, String method, List<String> path, boolean trailingSlash, Map<String, String> query,
            long receivedAt, String tx) {}

    @Override
    public void handle(HttpExchange ex) throws IOException {
        long receivedAt = clock.getAsLong();
        String tx = transactionId(ex.getRequestHeaders().getFirst("X-Request-ID"));
        var h = ex.getResponseHeaders();
        h.set("X-Request-ID", tx);
        h.set("Access-Control-Allow-Origin", "*");
        h.set("Cache-Control", "no-store");
        String method = ex.getRequestMethod().toUpperCase(Locale.ROOT);
        int status;
        try {
            if (method.equals("OPTIONS")) {
                h.set("Access-Control-Allow-Methods", "GET, DELETE, POST, PUT");
                h.set("Access-Control-Allow-Headers", "Authorization, Origin, X-Requested-With, Content-Type, Accept, User-Agent, X-Request-ID");
                ex.sendResponseHeaders(200, -1);
                status = 200;
            } else {
                String rawPath = ex.getRequestURI().getRawPath();
                List<String> path = segments(rawPath);
                boolean trailingSlash = !path.isEmpty() && path.getLast().isEmpty();
                if (trailingSlash) {
                    path = path.subList(0, path.size() - 1);
                }
                Req req = new Req(ex, method, path, trailingSlash, query(ex.getRequestURI().getRawQuery()), receivedAt, tx);
                status = route(req);
            }
        } catch (ApiException e) {
            e.allow().ifPresent(methods -> h.set("Allow", methods));
            if (e.status() == 401) {
                h.set("WWW-Authenticate", "Basic realm=\"whisk rest service\"");
            }
            if (mayHaveUnreadBody(ex)) {
                // the server drops the connection rather than drain a large unread body; say so, lest a client reuse it
                h.set("Connection", "close");
            }
            status = error(ex, e.status(), e.getMessage(), tx);
        } catch (IOException e) {
            // the client went away (or broke the framing) mid-response: nothing more can be sent
            LOG.debug("[{}] connection failed: {}", tx, e.toString());
            status = -1;
        } catch (RuntimeException e) {
            LOG.error("[{}] {} {} failed", tx, method, ex.getRequestURI().getRawPath(), e);
            status = error(ex, 500, Messages.INTERNAL, tx);
        } finally {
            ex.close();
        }
        LOG.debug("[{}] {} {} -> {}", tx, method, ex.getRequestURI().getRawPath(), status);
    }

    // ---------------------------------------------------------------- routing

    private int route(Req r) throws IOException {
        List<String> p = r.path();
        if (p.isEmpty()) {
            allow(r, "GET");
            return send(r.ex(), 200, rootInfo());
        }
        if (p.size() >= 2 && p.get(0).equals("api") && p.get(1).equals("v1")) {
            List<String> rest = p.subList(2, p.size());
            if (rest.isEmpty()) {
                allow(r, "GET");
                return send(r.ex(), 200, apiInfo());
            }
            if (!rest.get(0).equals("namespaces")) {
                throw notFound();
            }
            if (rest.size() == 1) {
                allow(r, "GET");
                Authenticator.Caller c = authenticate(r);
                return send(r.ex(), 200, F.arrayNode().add(c.subject().namespace()));
            }
            if (rest.size() < 3) {
                throw notFound();
            }
            return namespaced(r, rest.get(1), rest.get(2), rest.subList(3, rest.size()));
        }
        if (p.size() == 3 && p.get(0).equals("sesemi") && p.get(1).equals("v1") && p.get(2).equals("billing")) {
            allow(r, "GET");
            return billing(r, authenticate(r));
        }
        throw notFound();
    }

    private int namespaced(Req r, String ns, String collection, List<String> rest) throws IOException {
        switch (collection) {
            case "actions" -> {
                if (rest.isEmpty() || (rest.size() == 1 && r.trailingSlash())) {
                    allow(r, "GET");
                    String owner = authorize(r, ns);
                    return listActions(r, rest.isEmpty() ? owner : owner + "/" + entityName(rest.get(0)));
                }
                if (rest.size() > 2 || r.trailingSlash()) {
                    throw notFound();
                }
                allow(r, "GET, PUT, DELETE, POST");
                Authenticator.Caller caller = callerFor(r, ns);
                String owner = caller.subject().namespace();
                String pkg = rest.size() == 2 ? entityName(rest.get(0)) : null;
                String name = entityName(rest.get(rest.size() - 1));
                String entityNs = pkg == null ? owner : owner + "/" + pkg;
                return switch (r.method()) {
                    case "GET" -> getAction(r, entityNs, name);
                    case "PUT" -> putAction(r, entityNs, name);
                    case "DELETE" -> deleteAction(r, entityNs, name);
                    default -> invoke(r, caller, owner, pkg, name);
                };
            }
            case "activations" -> {
                allow(r, "GET");
                if (rest.size() > 2 || (rest.size() == 2 && !rest.get(1).equals("result") && !rest.get(1).equals("logs"))) {
                    throw notFound();
                }
                String owner = authorize(r, ns);
                if (rest.isEmpty()) {
                    return listActivations(r, owner);
                }
                StoredActivation a = store.activation(owner, activationId(rest.get(0))).orElseThrow(PlatformApi::notFound);
                if (rest.size() == 1) {
                    return send(r.ex(), 200, a.record());
                }
                if (rest.get(1).equals("result")) {
                    return send(r.ex(), 200, a.record().get("response"));
                }
                return send(r.ex(), 200, F.objectNode().set("logs", a.record().path("logs")));
            }
            case "limits" -> {
                if (!rest.isEmpty()) {
                    throw notFound();
                }
                allow(r, "GET");
                authorize(r, ns);
                return send(r.ex(), 200, userLimits());
            }
            case "packages", "triggers", "rules" -> {
                if (!rest.isEmpty()) {
                    throw notFound();
                }
                allow(r, "GET");
                authorize(r, ns);
                return send(r.ex(), 200, F.arrayNode());
            }
            default -> throw notFound();
        }
    }

    private static void allow(Req r, String methods) {
        if (!Arrays.asList(methods.split(", ")).contains(r.method())) {
            throw ApiException.methodNotAllowed(methods);
        }
    }

    private Authenticator.Caller authenticate(Req r) {
        return auth.authenticate(Optional.ofNullable(r.ex().getRequestHeaders().getFirst("Authorization")));
    }

    /** Authenticates and resolves {@code ns} ({@code _} = own) to the caller's namespace, else 403. */
    private String authorize(Req r, String ns) {
        return callerFor(r, ns).subject().namespace();
    }

    private Authenticator.Caller callerFor(Req r, String ns) {
        Authenticator.Caller c = authenticate(r);
        if (!ns.equals("_") && !ns.equals(c.subject().namespace())) {
            throw new ApiException(403, Messages.NOT_AUTHORIZED);
        }
        return c;
    }

    // ---------------------------------------------------------------- actions

    private int listActions(Req r, String entityNs) throws IOException {
        int skip = skip(r, "actions");
        int limit = limit(r, "actions");
        if (bool(r, "count", false)) {
            return send(r.ex(), 200, F.objectNode().put("actions", store.countActions(entityNs)));
        }
        ArrayNode out = F.arrayNode();
        for (StoredAction a : store.listActions(entityNs, skip, limit)) {
            out.add(ActionDocuments.summary(a.doc()));
        }
        return send(r.ex(), 200, out);
    }

    private int getAction(Req r, String entityNs, String name) throws IOException {
        boolean code = bool(r, "code", true);
        StoredAction a = store.action(entityNs, name).orElseThrow(PlatformApi::notFound);
        return send(r.ex(), 200, code ? a.doc() : ActionDocuments.withoutCode(a.doc()));
    }

    private int putAction(Req r, String entityNs, String name) throws IOException {
        boolean overwrite = bool(r, "overwrite", false);
        byte[] body = readBody(r.ex(), config.maxEntityBytes());
        JsonNode json = parse(body).orElseThrow(() -> new ApiException(400, Messages.malformed("the request has no content")));
        Optional<StoredAction> existing = store.action(entityNs, name);
        if (existing.isPresent() && !overwrite) {
            throw new ApiException(409, Messages.ALREADY_EXISTS);
        }
        ObjectNode doc = documents.put(entityNs, name, json, existing.map(StoredAction::doc), clock.getAsLong());
        try {
            StoredAction stored = store.putAction(entityNs, name, existing.map(StoredAction::revision), doc.get("updated").asLong(), doc);
            return send(r.ex(), 200, stored.doc());
        } catch (ConflictException e) {
            throw new ApiException(409, e.alreadyExists() ? Messages.ALREADY_EXISTS : Messages.CONCURRENT_MODIFICATION);
        }
    }

    private int deleteAction(Req r, String entityNs, String name) throws IOException {
        StoredAction a = store.deleteAction(entityNs, name).orElseThrow(PlatformApi::notFound);
        return send(r.ex(), 200, a.doc());
    }

    private int invoke(Req r, Authenticator.Caller caller, String owner, String pkg, String name) throws IOException {
        boolean blocking = bool(r, "blocking", false);
        boolean resultOnly = bool(r, "result", false);
        int timeout = MAX_BLOCKING_WAIT;
        String t = r.query().get("timeout");
        if (t != null) {
            try {
                timeout = Integer.parseInt(t.trim());
            } catch (NumberFormatException e) {
                throw new ApiException(400, Messages.TIMEOUT_RANGE);
            }
            if (timeout < 1 || timeout > MAX_BLOCKING_WAIT) {
                throw new ApiException(400, Messages.TIMEOUT_RANGE);
            }
        }
        byte[] body = readBody(r.ex(), config.maxPayloadBytes());
        JsonNode parsed = parse(body).orElse(F.objectNode());
        if (!parsed.isObject()) {
            throw new ApiException(400, Messages.malformed("the parameters must be a JSON object"));
        }
        ObjectNode params = (ObjectNode) parsed;
        String entityNs = pkg == null ? owner : owner + "/" + pkg;
        StoredAction action = store.action(entityNs, name).orElseThrow(PlatformApi::notFound);
        ActionDocuments.checkFinal(action.doc(), params);
        Throttles.Permit permit = throttles.acquire(caller.subject().namespace());
        boolean provideKey = ActionDocuments.annotation(action.doc(), "provide-api-key").map(JsonNode::asBoolean).orElse(true);
        String actionPath = pkg == null ? name : pkg + "/" + name;
        Activator.Pending pending;
        try {
            pending = activator.start(caller, ActionDocuments.spec(owner, pkg == null ? "" : pkg + "/", action), actionPath, params,
                    r.receivedAt(), provideKey, permit, r.tx());
        } catch (RuntimeException e) {
            permit.release();
            throw e;
        }
        r.ex().getResponseHeaders().set("x-openwhisk-activation-id", pending.activationId());
        ObjectNode accepted = F.objectNode().put("activationId", pending.activationId());
        if (!blocking) {
            return send(r.ex(), 202, accepted);
        }
        Activator.Completed done;
        try {
            long waited = clock.getAsLong() - r.receivedAt();
            done = pending.completion().get(Math.max(1, timeout - waited), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return send(r.ex(), 202, accepted);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return send(r.ex(), 202, accepted);
        } catch (ExecutionException e) {
            throw new IllegalStateException("activation completion failed", e.getCause());
        }
        int status = switch (done.statusCode()) {
            case ActivationOutcome.SUCCESS -> 200;
            case ActivationOutcome.APPLICATION_ERROR, ActivationOutcome.DEVELOPER_ERROR -> 502;
            default -> 500;
        };
        JsonNode out = resultOnly ? done.record().path("response").path("result") : ActivationRecords.withoutLogs(done.record());
        return send(r.ex(), status, out);
    }

    // ---------------------------------------------------------------- activations and billing

    private int listActivations(Req r, String owner) throws IOException {
        Optional<String> name = Optional.ofNullable(r.query().get("name")).map(PlatformApi::actionPath);
        int skip = skip(r, "activations");
        int limit = limit(r, "activations");
        long since = epochMillis(r, "since", 0);
        long upto = epochMillis(r, "upto", Long.MAX_VALUE);
        boolean count = bool(r, "count", false);
        boolean docs = bool(r, "docs", false);
        if (count && docs) {
            throw new ApiException(400, Messages.DOCS_WITH_COUNT);
        }
        ActivationQuery q = new ActivationQuery(owner, name, since, upto);
        if (count) {
            return send(r.ex(), 200, F.objectNode().put("activations", store.countActivations(q)));
        }
        ArrayNode out = F.arrayNode();
        for (StoredActivation a : store.listActivations(q, skip, limit)) {
            out.add(docs ? a.record() : ActivationRecords.summary(a.record(), a.statusCode()));
        }
        return send(r.ex(), 200, out);
    }

    private int billing(Req r, Authenticator.Caller caller) throws IOException {
        long since = epochMillis(r, "since", 0);
        long upto = epochMillis(r, "upto", Long.MAX_VALUE);
        String ns = caller.subject().namespace();
        ObjectNode out = F.objectNode();
        out.put("namespace", ns);
        out.put("since", since);
        out.put("upto", upto);
        out.put("formula", "GB-seconds = limits.memory MB / 1024 x duration ms / 1000");
        ArrayNode actions = out.putArray("actions");
        long n = 0, cold = 0, ms = 0;
        double gbs = 0;
        for (BillingRow b : store.billing(new ActivationQuery(ns, Optional.empty(), since, upto))) {
            ObjectNode row = actions.addObject();
            row.put("name", b.actionPath());
            row.put("activations", b.activations());
            row.put("coldStarts", b.coldStarts());
            row.put("durationMs", b.totalDurationMs());
            row.put("gbSeconds", b.gbSeconds());
            n += b.activations();
            cold += b.coldStarts();
            ms += b.totalDurationMs();
            gbs += b.gbSeconds();
        }
        ObjectNode total = out.putObject("total");
        total.put("activations", n);
        total.put("coldStarts", cold);
        total.put("durationMs", ms);
        total.put("gbSeconds", gbs);
        return send(r.ex(), 200, out);
    }

    // ---------------------------------------------------------------- info documents

    private ObjectNode rootInfo() {
        ObjectNode info = F.objectNode();
        info.put("description", "OpenWhisk");
        info.putObject("support").put("platform", "SeSeMI embedded OpenWhisk-compatible platform");
        info.putArray("api_paths").add("/api/v1");
        ObjectNode limits = info.putObject("limits");
        limits.put("actions_per_minute", throttles.perMinute());
        limits.put("triggers_per_minute", 0);
        limits.put("concurrent_actions", throttles.concurrent());
        limits.put("sequence_length", 0);
        // OpenWhisk's namespace defaults: every namespace here has the system's limits.
        limits.put("default_min_action_duration", ActionDocuments.MIN_TIMEOUT);
        limits.put("default_max_action_duration", ActionDocuments.MAX_TIMEOUT);
        limits.put("default_min_action_memory", PlatformConfig.MIN_ACTION_MEMORY_MB * 1024L * 1024L);
        limits.put("default_max_action_memory", config.maxActionMemoryMb() * 1024L * 1024L);
        limits.put("default_min_action_logs", 0);
        limits.put("default_max_action_logs", ActionDocuments.MAX_LOGS * 1024L * 1024L);
        limits.put("min_action_duration", ActionDocuments.MIN_TIMEOUT);
        limits.put("max_action_duration", ActionDocuments.MAX_TIMEOUT);
        limits.put("default_action_duration", ActionDocuments.DEFAULT_TIMEOUT);
        limits.put("min_action_memory", PlatformConfig.MIN_ACTION_MEMORY_MB * 1024L * 1024L);
        limits.put("max_action_memory", config.maxActionMemoryMb() * 1024L * 1024L);
        limits.put("default_action_memory", ActionDocuments.DEFAULT_MEMORY * 1024L * 1024L);
        limits.put("min_action_logs", 0);
        limits.put("max_action_logs", ActionDocuments.MAX_LOGS * 1024L * 1024L);
        limits.put("default_action_logs", ActionDocuments.DEFAULT_LOGS * 1024L * 1024L);
        limits.put("max_action_concurrency", config.maxActionConcurrency());
        limits.put("max_payload_bytes", config.maxPayloadBytes());
        ObjectNode blackbox = info.putObject("runtimes").putArray("blackbox").addObject();
        blackbox.put("kind", "blackbox");
        blackbox.put("default", true);
        blackbox.put("deprecated", false);
        return info;
    }

    /**
     * {@code GET .../limits}: OpenWhisk's user limits document (its {@code UserLimits} fields, with the system values
     * where a namespace has no own ones — here always): memory in MB, timeout in ms, logs in MB,
     * {@code maxParameterSize} as OpenWhisk prints a byte size. {@code maxPayloadSize} is this platform's addition:
     * the largest invoke body (OpenWhisk does not publish {@code whisk.activation.payload.max}).
     */
    private ObjectNode userLimits() {
        ObjectNode limits = F.objectNode();
        limits.put("invocationsPerMinute", throttles.perMinute());
        limits.put("concurrentInvocations", throttles.concurrent());
        limits.put("firesPerMinute", 0);
        limits.put("minActionMemory", PlatformConfig.MIN_ACTION_MEMORY_MB);
        limits.put("maxActionMemory", config.maxActionMemoryMb());
        limits.put("minActionLogs", 0);
        limits.put("maxActionLogs", ActionDocuments.MAX_LOGS);
        limits.put("minActionTimeout", ActionDocuments.MIN_TIMEOUT);
        limits.put("maxActionTimeout", ActionDocuments.MAX_TIMEOUT);
        limits.put("minActionConcurrency", 1);
        limits.put("maxActionConcurrency", config.maxActionConcurrency());
        limits.put("maxParameterSize", config.maxPayloadBytes() + " B");
        limits.put("maxPayloadSize", config.maxPayloadBytes() + " B");
        return limits;
    }

    private ObjectNode apiInfo() {
        ObjectNode info = F.objectNode();
        info.put("description", "OpenWhisk API");
        info.put("api_version", "1.0.0");
        info.put("api_version_path", "v1");
        info.put("build", build);
        info.put("buildno", build);
        return info;
    }

    // ---------------------------------------------------------------- parsing untrusted input

    /** Percent-decoded path segments without the leading empty one; a trailing slash leaves an empty last segment. */
    static List<String> segments(String rawPath) {
        if (rawPath == null || rawPath.isEmpty() || rawPath.equals("/")) {
            return List.of();
        }
        String p = rawPath.startsWith("/") ? rawPath.substring(1) : rawPath;
        List<String> out = new ArrayList<>();
        for (String s : p.split("/", -1)) {
            out.add(percentDecode(s));
        }
        return out;
    }

    private static String percentDecode(String s) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length() || Character.digit(s.charAt(i + 1), 16) < 0 || Character.digit(s.charAt(i + 2), 16) < 0) {
                    throw new ApiException(400, Messages.ILLEGAL_NAME);
                }
                b.write(Character.digit(s.charAt(i + 1), 16) * 16 + Character.digit(s.charAt(i + 2), 16));
                i += 2;
            } else {
                byte[] bytes = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                b.write(bytes, 0, bytes.length);
            }
        }
        return b.toString(StandardCharsets.UTF_8);
    }

    static Map<String, String> query(String raw) {
        Map<String, String> out = new HashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        if (raw.length() > MAX_QUERY) {
            throw new ApiException(400, "The request's query string is too long.");
        }
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            try {
                String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                out.put(k, v);
            } catch (IllegalArgumentException e) {
                throw new ApiException(400, "The request's query string is malformed.");
            }
        }
        return out;
    }

    private static String entityName(String s) {
        if (!ActionDocuments.validName(s)) {
            throw new ApiException(400, Messages.ILLEGAL_NAME);
        }
        return s;
    }

    /** An activations {@code name} filter: {@code name} or {@code pkg/name}, each a valid entity name. */
    private static String actionPath(String s) {
        String[] parts = s.split("/", -1);
        if (parts.length > 2) {
            throw new ApiException(400, Messages.ILLEGAL_NAME);
        }
        for (String part : parts) {
            entityName(part);
        }
        return s;
    }

    private static String activationId(String s) {
        if (s.length() != 32) {
            throw new ApiException(400, Messages.activationIdLength(s.length()));
        }
        for (int i = 0; i < 32; i++) {
            if (Character.digit(s.charAt(i), 16) < 0) {
                throw new ApiException(400, "The activation id is not valid.");
            }
        }
        return s.toLowerCase(Locale.ROOT);
    }

    private static boolean bool(Req r, String name, boolean dflt) {
        String v = r.query().get(name);
        if (v == null) {
            return dflt;
        }
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new ApiException(400, Messages.queryMalformed(name, v, "Boolean"));
        };
    }

    private static long integer(Req r, String name, long dflt) {
        String v = r.query().get(name);
        if (v == null) {
            return dflt;
        }
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new ApiException(400, Messages.queryMalformed(name, v, "integer"));
        }
    }

    private static int skip(Req r, String collection) {
        long skip = integer(r, "skip", 0);
        if (skip < 0) {
            throw new ApiException(400, Messages.skipNegative(collection, skip));
        }
        return (int) Math.min(skip, Integer.MAX_VALUE);
    }

    private static int limit(Req r, String collection) {
        long limit = integer(r, "limit", LIST_DEFAULT);
        if (limit < 0 || limit > LIST_MAX) {
            throw new ApiException(400, Messages.limitOutOfRange(collection, limit, LIST_MAX));
        }
        return limit == 0 ? LIST_MAX : (int) limit;
    }

    private static long epochMillis(Req r, String name, long dflt) {
        long v = integer(r, name, dflt);
        if (v < 0) {
            throw new ApiException(400, Messages.queryMalformed(name, Long.toString(v), "epoch milliseconds"));
        }
        return v;
    }

    /**
     * Reads a request body of at most {@code limit} bytes. A larger one gives 413 with its size (the declared
     * {@code Content-Length}, or the bytes counted while draining a chunked body); a body that ends before its
     * declared length or breaks the chunked framing gives 400.
     */
    private static byte[] readBody(HttpExchange ex, int limit) {
        String declared = ex.getRequestHeaders().getFirst("Content-Length");
        if (declared != null) {
            long n;
            try {
                n = Long.parseLong(declared.trim());
            } catch (NumberFormatException e) {
                throw new ApiException(400, Messages.malformed("invalid Content-Length"));
            }
            if (n > limit) {
                if (n <= limit + DRAIN_LIMIT) {
                    // read the rest (bounded) so a client still sending gets the 413 rather than a reset connection
                    drain(ex.getRequestBody(), n);
                }
                throw new ApiException(413, Messages.tooLarge("Request", n, limit));
            }
        }
        try {
            InputStream in = ex.getRequestBody();
            byte[] body = in.readNBytes(limit + 1);
            if (body.length > limit) {
                long seen = body.length;
                byte[] sink = new byte[64 * 1024];
                int k;
                while (seen < limit + DRAIN_LIMIT && (k = in.read(sink)) > 0) {
                    seen += k;
                }
                throw new ApiException(413, Messages.tooLarge("Request", seen, limit));
            }
            return body;
        } catch (IOException e) {
            throw new ApiException(400, Messages.malformed("the request body is truncated or its framing is invalid"));
        }
    }

    /**
     * Reads and discards up to {@code atMost} bytes of a refused body, so that a client still sending it can read the
     * answer instead of a reset connection. It reads only what has arrived and stops after a second without progress,
     * so a client that declared more than it sends cannot hold the thread.
     */
    private static void drain(InputStream in, long atMost) {
        byte[] sink = new byte[64 * 1024];
        long seen = 0;
        long lastProgress = System.nanoTime();
        try {
            while (seen < atMost) {
                int ready = in.available();
                if (ready > 0) {
                    int k = in.read(sink, 0, Math.min(ready, sink.length));
                    if (k < 0) {
                        return;
                    }
                    seen += k;
                    lastProgress = System.nanoTime();
                } else if (System.nanoTime() - lastProgress > DRAIN_IDLE_NANOS) {
                    return;
                } else {
                    Thread.sleep(1);
                }
            }
        } catch (IOException e) {
            // the client stopped sending: the answer is the same 413
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Parses a JSON body; empty (or whitespace-only) gives empty. Parser messages are not echoed: they quote input. */
    static Optional<JsonNode> parse(byte[] body) {
        boolean blank = true;
        for (byte b : body) {
            if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
                blank = false;
                break;
            }
        }
        if (blank) {
            return Optional.empty();
        }
        try {
            return Optional.of(JSON.readTree(body));
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            throw new ApiException(400, Messages.malformed("invalid JSON" + where));
        } catch (IOException e) {
            throw new ApiException(400, Messages.malformed("invalid JSON"));
        }
    }

    /** A refused request whose body may be larger than what the JDK server drains (64 KiB) before reusing the connection. */
    private static boolean mayHaveUnreadBody(HttpExchange ex) {
        if (ex.getRequestHeaders().containsKey("Transfer-Encoding")) {
            return true;
        }
        String declared = ex.getRequestHeaders().getFirst("Content-Length");
        try {
            return declared != null && Long.parseLong(declared.trim()) > 64 * 1024;
        } catch (NumberFormatException e) {
            return true;
        }
    }

    static String transactionId(String header) {
        if (header != null) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < header.length() && b.length() < MAX_TX_ID; i++) {
                char c = header.charAt(i);
                if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.') {
                    b.append(c);
                }
            }
            if (!b.isEmpty()) {
                return b.toString();
            }
        }
        char[] id = new char[32];
        for (int i = 0; i < id.length; i++) {
            id[i] = TX_CHARS.charAt(RANDOM.nextInt(TX_CHARS.length()));
        }
        return new String(id);
    }

    // ---------------------------------------------------------------- responses

    private static ApiException notFound() {
        return new ApiException(404, Messages.NOT_FOUND);
    }

    private static int send(HttpExchange ex, int status, JsonNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream os = ex.getResponseBody()) {
            os.write(bytes);
        }
        return status;
    }

    private static int error(HttpExchange ex, int status, String message, String tx) {
        try {
            return send(ex, status, F.objectNode().put("error", message).put("code", tx));
        } catch (IOException e) {
            LOG.debug("[{}] could not send the {} error: {}", tx, status, e.toString());
            return -1;
        }
    }
}
