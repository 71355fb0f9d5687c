package org.sesemi.platform.api;

import static org.sesemi.platform.api.ApiJson.F;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;
import org.sesemi.http.Request;
import org.sesemi.http.Response;
import org.sesemi.http.Router;
import org.sesemi.platform.store.BillingRow;
import org.sesemi.platform.store.PlatformStore;
import org.sesemi.platform.store.PlatformStore.ActivationQuery;

/** {@code GET /sesemi/v1/billing}: the caller's GB-seconds per action between {@code since} and {@code upto}. */
final class BillingResource {
    private final PlatformStore store;
    private final Access access;

    BillingResource(PlatformStore store, Access access) {
        this.store = store;
        this.access = access;
    }

    void routes(Router.Builder b) {
        b.get("/sesemi/v1/billing", this::billing);
    }

    private Response billing(Request r) {
        Authenticator.Caller caller = access.authenticate(r);
        QueryParams q = Call.of(r).query();
        long since = q.epochMillis("since", 0);
        long upto = q.epochMillis("upto", Long.MAX_VALUE);
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
        return ApiJson.send(200, out);
    }
}
