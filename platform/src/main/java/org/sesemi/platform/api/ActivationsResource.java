package org.sesemi.platform.api;

import static org.sesemi.platform.api.ApiJson.F;

import com.fasterxml.jackson.databind.node.ArrayNode;
import java.util.Locale;
import java.util.Optional;
import org.sesemi.http.Request;
import org.sesemi.http.Response;
import org.sesemi.http.Router;
import org.sesemi.platform.store.PlatformStore;
import org.sesemi.platform.store.PlatformStore.ActivationQuery;
import org.sesemi.platform.store.StoredActivation;

/**
 * {@code /api/v1/namespaces/{ns}/activations}: list (filters {@code name}, {@code since}, {@code upto}; {@code count},
 * {@code docs}), one record, its {@code /result} and its {@code /logs}.
 */
final class ActivationsResource {
    static final String BASE = "/api/v1/namespaces/{ns}/activations";

    private final PlatformStore store;
    private final Access access;

    ActivationsResource(PlatformStore store, Access access) {
        this.store = store;
        this.access = access;
    }

    void routes(Router.Builder b) {
        b.get(BASE, r -> list(r, access.authorize(r, r.pathParam("ns"))));
        b.get(BASE + "/{id}", r -> ApiJson.send(200, find(r).record()));
        b.get(BASE + "/{id}/result", r -> ApiJson.send(200, find(r).record().get("response")));
        b.get(BASE + "/{id}/logs", r -> ApiJson.send(200, F.objectNode().set("logs", find(r).record().path("logs"))));
    }

    private StoredActivation find(Request r) {
        String owner = access.authorize(r, r.pathParam("ns"));
        return store.activation(owner, activationId(r.pathParam("id"))).orElseThrow(ApiJson::notFound);
    }

    private Response list(Request r, String owner) {
        QueryParams q = Call.of(r).query();
        Optional<String> name = q.get("name").map(ActivationsResource::actionPath);
        int skip = q.skip("activations");
        int limit = q.limit("activations");
        long since = q.epochMillis("since", 0);
        long upto = q.epochMillis("upto", Long.MAX_VALUE);
        boolean count = q.bool("count", false);
        boolean docs = q.bool("docs", false);
        if (count && docs) {
            throw new ApiException(400, Messages.DOCS_WITH_COUNT);
        }
        ActivationQuery query = new ActivationQuery(owner, name, since, upto);
        if (count) {
            return ApiJson.send(200, F.objectNode().put("activations", store.countActivations(query)));
        }
        ArrayNode out = F.arrayNode();
        for (StoredActivation a : store.listActivations(query, skip, limit)) {
            out.add(docs ? a.record() : ActivationRecords.summary(a.record(), a.statusCode()));
        }
        return ApiJson.send(200, out);
    }

    /** An activations {@code name} filter: {@code name} or {@code pkg/name}, each a valid entity name. */
    private static String actionPath(String s) {
        String[] parts = s.split("/", -1);
        if (parts.length > 2) {
            throw new ApiException(400, Messages.ILLEGAL_NAME);
        }
        for (String part : parts) {
            Access.entityName(part);
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
}
