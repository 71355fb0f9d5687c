package org.sesemi.packer.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.sesemi.http.Response;
import org.sesemi.http.Router;
import org.sesemi.http.StaticDocument;
import org.sesemi.packer.policy.PackingPolicy;

/**
 * The gateway's operations routes: {@code GET /health} and {@code GET /v1/openapi.json} (open), {@code GET /metrics}
 * (Prometheus text) and {@code GET /v1/stats} (the policy's counters, the pool's functions, the routes per function and
 * model, the models tracked), which need the caller token when one is configured: they reveal the models in use and
 * the traffic.
 */
final class OperationsRoutes {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The OpenAPI document of this API, served at {@code GET /v1/openapi.json}. */
    private static final byte[] OPENAPI = StaticDocument.load(OperationsRoutes.class, "/org/sesemi/packer/openapi.json");
    private static final byte[] HEALTHY = "{\"status\":\"ok\"}".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private final String group;
    private final PackingPolicy policy;
    private final FunctionPool pool;
    private final ModelTable models;
    private final GatewayMetrics metrics;

    OperationsRoutes(String group, PackingPolicy policy, FunctionPool pool, ModelTable models, GatewayMetrics metrics) {
        this.group = group;
        this.policy = policy;
        this.pool = pool;
        this.models = models;
        this.metrics = metrics;
    }

    Router.Builder routes(Router.Builder b, CallerToken token) {
        return b.get("/health", r -> Response.json(200, HEALTHY))
                .get("/v1/openapi.json", r -> Response.json(200, OPENAPI))
                .get("/metrics", token.guard(r -> Response.text(200, GatewayMetrics.CONTENT_TYPE, metrics.scrape())))
                .get("/v1/stats", token.guard(r -> stats()));
    }

    private Response stats() throws JsonProcessingException {
        ObjectNode n = JSON.createObjectNode().put("group", group).put("policy", policy.name());
        n.set("stats", JSON.valueToTree(policy.stats()));
        n.set("functions", JSON.valueToTree(pool.byInstance()));
        n.set("routes", JSON.valueToTree(pool.routes()));
        n.put("modelsTracked", models.size()).put("modelsForgotten", models.forgotten());
        return Response.json(200, JSON.writeValueAsBytes(n));
    }
}
