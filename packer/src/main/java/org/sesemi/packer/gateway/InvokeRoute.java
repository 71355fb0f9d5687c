package org.sesemi.packer.gateway;

import java.util.concurrent.atomic.AtomicLong;
import org.sesemi.crypto.CryptoException;
import org.sesemi.http.Handler;
import org.sesemi.http.HttpException;
import org.sesemi.http.Request;
import org.sesemi.http.Response;
import org.sesemi.packer.policy.Decision;
import org.sesemi.packer.policy.PackingPolicy;
import org.sesemi.protocol.envelope.EnvelopeJson;

/**
 * {@code POST /v1/invoke}: the body is a request envelope (JSON form). The gateway reads only its routing fields,
 * strictly, without decoding the payload ({@link EnvelopeJson#readRouting}), admits its model ({@link ModelTable}),
 * asks the policy where it goes (waiting in the {@link RouteQueue} if the policy queues it), and hands it to the
 * {@link Forwarder} with the body's bytes as received. Refusals: 413 {@code too_large} (a declared length above the
 * limit is refused before reading), 400 {@code malformed}, 503 {@code busy} ({@code too_many_models},
 * {@code all_busy}, {@code queue_timeout}), each counted in the metrics by reason.
 */
final class InvokeRoute implements Handler {
    private final int maxEnvelopeBytes;
    private final int maxModels;
    private final PackingPolicy policy;
    private final ModelTable models;
    private final RouteQueue queue;
    private final Forwarder forwarder;
    private final GatewayMetrics metrics;
    private final AtomicLong ids = new AtomicLong();

    InvokeRoute(GatewayConfig config, PackingPolicy policy, ModelTable models, RouteQueue queue, Forwarder forwarder, GatewayMetrics metrics) {
        this.maxEnvelopeBytes = config.maxEnvelopeBytes();
        this.maxModels = config.maxModels();
        this.policy = policy;
        this.models = models;
        this.queue = queue;
        this.forwarder = forwarder;
        this.metrics = metrics;
    }

    @Override
    public Response handle(Request r) {
        byte[] body;
        try {
            body = r.body(maxEnvelopeBytes);
        } catch (HttpException e) {
            metrics.refused(e.kind() == HttpException.Kind.TOO_LARGE ? "too_large" : "malformed");
            throw e;
        }
        EnvelopeJson.Routing envelope;
        try {
            // Only the routing fields are read: the payload is neither decoded nor copied, and the body goes on as is.
            envelope = EnvelopeJson.readRouting(body, maxEnvelopeBytes); // inline, or payload by reference
        } catch (CryptoException e) {
            metrics.refused("malformed");
            throw GatewayRefusal.malformed();
        }
        String model = envelope.model().toString();
        if (!models.admit(model)) {
            metrics.refused("too_many_models");
            throw GatewayRefusal.busy("too_many_models", "this gateway routes at most " + maxModels
                    + " models at once and every one has requests in flight");
        }
        boolean forwarded = false;
        try {
            Decision.Route route = route(model);
            forwarded = true; // from here the forwarder releases the model when the activation is over
            return forwarder.forward(route, body, envelope, served -> models.release(model, served));
        } finally {
            if (!forwarded) {
                models.release(model, false);
            }
        }
    }

    /** Where the policy sends an admitted request, after waiting in the queue if it queued it. */
    private Decision.Route route(String model) {
        Decision d = policy.offer(ids.incrementAndGet(), model);
        return switch (d) {
            case Decision.Route r -> r;
            case Decision.Rejected r -> {
                metrics.refused("all_busy");
                throw GatewayRefusal.busy("all_busy", "every function of the pool is busy: " + r.reason());
            }
            case Decision.Queued q -> {
                Decision.Route r = queue.await(q);
                if (r == null) {
                    metrics.refused("queue_timeout");
                    throw GatewayRefusal.busy("queue_timeout", "no function of the pool became free in time");
                }
                yield r;
            }
        };
    }
}
