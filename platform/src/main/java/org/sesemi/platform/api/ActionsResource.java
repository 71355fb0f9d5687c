package org.sesemi.platform.api;

import static org.sesemi.platform.api.ApiJson.F;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.sesemi.http.Request;
import org.sesemi.http.Response;
import org.sesemi.http.Router;
import org.sesemi.platform.PlatformConfig;
import org.sesemi.platform.invoker.ActivationOutcome;
import org.sesemi.platform.store.ConflictException;
import org.sesemi.platform.store.PlatformStore;
import org.sesemi.platform.store.StoredAction;

/**
 * {@code /api/v1/namespaces/{ns}/actions}: list (also of a package, {@code actions/{pkg}/}), and PUT/GET/DELETE/POST
 * (invoke) of {@code [pkg/]name}. An invoke is blocking ({@code ?blocking=true}, waiting up to {@code timeout} ms for
 * the activation, then answering 202 with its id) or not (202 at once).
 */
final class ActionsResource {
    static final String BASE = "/api/v1/namespaces/{ns}/actions";
    private static final int MAX_BLOCKING_WAIT = 60_000;

    private final PlatformConfig config;
    private final PlatformStore store;
    private final Access access;
    private final Throttles throttles;
    private final Activator activator;
    private final ActionDocuments documents;
    private final Clock clock;

    ActionsResource(PlatformConfig config, PlatformStore store, Access access, Throttles throttles, Activator activator,
            Clock clock) {
        this.config = config;
        this.store = store;
        this.access = access;
        this.throttles = throttles;
        this.activator = activator;
        this.documents = new ActionDocuments(config);
        this.clock = clock;
    }

    void routes(Router.Builder b) {
        b.get(BASE, r -> listActions(r, access.authorize(r, r.pathParam("ns"))));
        b.get(BASE + "/{pkg}/", r -> {
            String owner = access.authorize(r, r.pathParam("ns"));
            return listActions(r, owner + "/" + Access.entityName(r.pathParam("pkg")));
        });
        for (String t : new String[] {BASE + "/{name}", BASE + "/{pkg}/{name}"}) {
            b.get(t, r -> entity(r, (caller, entityNs, name) -> getAction(r, entityNs, name)));
            b.put(t, r -> entity(r, (caller, entityNs, name) -> putAction(r, entityNs, name)));
            b.delete(t, r -> entity(r, (caller, entityNs, name) -> deleteAction(entityNs, name)));
            b.post(t, r -> entity(r, (caller, entityNs, name) -> invoke(r, caller, name)));
        }
    }

    private interface EntityCall {
        Response apply(Authenticator.Caller caller, String entityNs, String name);
    }

    /** One action: authenticated, the namespace authorised, names validated ({@code name/} with a slash is 404). */
    private Response entity(Request r, EntityCall call) {
        if (r.trailingSlash()) {
            throw ApiJson.notFound();
        }
        Authenticator.Caller caller = access.callerFor(r, r.pathParam("ns"));
        String owner = caller.subject().namespace();
        String pkg = r.route().endsWith("{pkg}/{name}") ? Access.entityName(r.pathParam("pkg")) : null;
        String name = Access.entityName(r.pathParam("name"));
        return call.apply(caller, pkg == null ? owner : owner + "/" + pkg, name);
    }

    private Response listActions(Request r, String entityNs) {
        QueryParams q = Call.of(r).query();
        int skip = q.skip("actions");
        int limit = q.limit("actions");
        if (q.bool("count", false)) {
            return ApiJson.send(200, F.objectNode().put("actions", store.countActions(entityNs)));
        }
        ArrayNode out = F.arrayNode();
        for (StoredAction a : store.listActions(entityNs, skip, limit)) {
            out.add(ActionDocuments.summary(a.doc()));
        }
        return ApiJson.send(200, out);
    }

    private Response getAction(Request r, String entityNs, String name) {
        boolean code = Call.of(r).query().bool("code", true);
        StoredAction a = store.action(entityNs, name).orElseThrow(ApiJson::notFound);
        return ApiJson.send(200, code ? a.doc() : ActionDocuments.withoutCode(a.doc()));
    }

    private Response putAction(Request r, String entityNs, String name) {
        boolean overwrite = Call.of(r).query().bool("overwrite", false);
        byte[] body = r.body(config.maxEntityBytes());
        JsonNode json = ApiJson.parse(body).orElseThrow(() -> new ApiException(400, Messages.malformed("the request has no content")));
        Optional<StoredAction> existing = store.action(entityNs, name);
        if (existing.isPresent() && !overwrite) {
            throw new ApiException(409, Messages.ALREADY_EXISTS);
        }
        ObjectNode doc = documents.put(entityNs, name, json, existing.map(StoredAction::doc), clock.millis());
        try {
            StoredAction stored = store.putAction(entityNs, name, existing.map(StoredAction::revision), doc.get("updated").asLong(), doc);
            return ApiJson.send(200, stored.doc());
        } catch (ConflictException e) {
            throw new ApiException(409, e.alreadyExists() ? Messages.ALREADY_EXISTS : Messages.CONCURRENT_MODIFICATION);
        }
    }

    private Response deleteAction(String entityNs, String name) {
        StoredAction a = store.deleteAction(entityNs, name).orElseThrow(ApiJson::notFound);
        return ApiJson.send(200, a.doc());
    }

    private Response invoke(Request r, Authenticator.Caller caller, String name) {
        Call call = Call.of(r);
        QueryParams q = call.query();
        boolean blocking = q.bool("blocking", false);
        boolean resultOnly = q.bool("result", false);
        int timeout = MAX_BLOCKING_WAIT;
        Optional<String> t = q.get("timeout");
        if (t.isPresent()) {
            try {
                timeout = Integer.parseInt(t.get().trim());
            } catch (NumberFormatException e) {
                throw new ApiException(400, Messages.TIMEOUT_RANGE);
            }
            if (timeout < 1 || timeout > MAX_BLOCKING_WAIT) {
                throw new ApiException(400, Messages.TIMEOUT_RANGE);
            }
        }
        byte[] body = r.body(config.maxPayloadBytes());
        JsonNode parsed = ApiJson.parse(body).orElse(F.objectNode());
        if (!parsed.isObject()) {
            throw new ApiException(400, Messages.malformed("the parameters must be a JSON object"));
        }
        ObjectNode params = (ObjectNode) parsed;
        String owner = caller.subject().namespace();
        String pkg = r.route().endsWith("{pkg}/{name}") ? r.pathParam("pkg") : null;
        String entityNs = pkg == null ? owner : owner + "/" + pkg;
        StoredAction action = store.action(entityNs, name).orElseThrow(ApiJson::notFound);
        ActionDocuments.checkFinal(action.doc(), params);
        Throttles.Permit permit = throttles.acquire(caller.subject().namespace());
        boolean provideKey = ActionDocuments.annotation(action.doc(), "provide-api-key").map(JsonNode::asBoolean).orElse(true);
        String actionPath = pkg == null ? name : pkg + "/" + name;
        Activator.Pending pending;
        try {
            pending = activator.start(caller, ActionDocuments.spec(owner, pkg == null ? "" : pkg + "/", action), actionPath, params,
                    call.receivedAt(), provideKey, permit, call.tx());
        } catch (RuntimeException e) {
            permit.release();
            throw e;
        }
        r.setResponseHeader("x-openwhisk-activation-id", pending.activationId());
        ObjectNode accepted = F.objectNode().put("activationId", pending.activationId());
        if (!blocking) {
            return ApiJson.send(202, accepted);
        }
        Activator.Completed done;
        try {
            long waited = clock.millis() - call.receivedAt();
            done = pending.completion().get(Math.max(1, timeout - waited), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return ApiJson.send(202, accepted);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ApiJson.send(202, accepted);
        } catch (ExecutionException e) {
            throw new IllegalStateException("activation completion failed", e.getCause());
        }
        int status = switch (done.statusCode()) {
            case ActivationOutcome.SUCCESS -> 200;
            case ActivationOutcome.APPLICATION_ERROR, ActivationOutcome.DEVELOPER_ERROR -> 502;
            default -> 500;
        };
        JsonNode out = resultOnly ? done.record().path("response").path("result") : ActivationRecords.withoutLogs(done.record());
        return ApiJson.send(status, out);
    }
}
