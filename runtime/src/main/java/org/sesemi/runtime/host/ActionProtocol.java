package org.sesemi.runtime.host;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.sesemi.http.Request;
import org.sesemi.http.Response;
import org.sesemi.http.Router;
import org.sesemi.protocol.action.InitBody;
import org.sesemi.protocol.action.RunBody;
import org.sesemi.runtime.core.EnclaveRuntime;
import org.sesemi.runtime.core.ErrorCode;
import org.sesemi.runtime.core.Outcome;

/**
 * OpenWhisk's action protocol ({@code docs/runtime.md}): {@code POST /init} once (init parameters in {@code value.env}
 * override the process environment as core settings; a second init is refused with 403), {@code POST /run} with
 * {@code value} = the request envelope. A rejection is an application error (200 + error body: the container stays
 * warm) except busy (503, rescheduled elsewhere). After every {@code /run} and every failed {@code /init} the activation
 * sentinel is written to stdout and stderr.
 *
 * <p>The {@code /run} body is read once as bytes; {@link RunBody} finds {@code value} in it and the envelope goes to the
 * core as the bytes received, never parsed into a tree and written back.
 */
final class ActionProtocol {
    static final String INIT = "/init";
    static final String RUN = "/run";
    private static final byte[] OK = "{\"ok\":true}".getBytes(StandardCharsets.UTF_8);

    private final RuntimeServer server;
    private final CoreFactory factory;
    private final Map<String, String> environment;
    private final PrintStream out;
    private final PrintStream err;
    /** A lock, not a monitor: init reads a body and builds the core (a KeyService handshake) while holding it. */
    private final ReentrantLock initLock = new ReentrantLock();
    private final AtomicInteger running = new AtomicInteger();

    ActionProtocol(RuntimeServer server, CoreFactory factory, Map<String, String> environment, PrintStream out, PrintStream err) {
        this.server = server;
        this.factory = factory;
        this.environment = Map.copyOf(environment);
        this.out = out;
        this.err = err;
    }

    void routes(Router.Builder b) {
        b.post(INIT, this::init);
        b.post(RUN, this::run);
    }

    private Response init(Request r) {
        initLock.lock();
        try {
            if (server.initDone()) {
                // Reference runtimes log this and write no sentinel.
                err.println("Cannot initialize the action more than once.");
                err.flush();
                return RuntimeReplies.error(403, "Cannot initialize the action more than once.");
            }
            Map<String, String> settings = new HashMap<>(environment);
            try {
                settings.putAll(InitBody.env(r.body(server.config().maxBodyBytes())));
            } catch (RunBody.NotAnObject e) {
                sentinels();
                return RuntimeReplies.error(400, "the /init body must be a JSON object" + e.getMessage());
            }
            try {
                server.initialize(settings, factory);
                return Response.json(200, OK);
            } catch (RuntimeException e) {
                err.println("initialization failed: " + e.getMessage());
                sentinels();
                return RuntimeReplies.error(502, "Initialization has failed: " + e.getMessage());
            }
        } finally {
            initLock.unlock();
        }
    }

    private Response run(Request r) {
        EnclaveRuntime c = server.core();
        if (!server.initDone() || c == null) {
            sentinels();
            return RuntimeReplies.error(403, "System not initialized.");
        }
        if (running.incrementAndGet() > 1 && !server.config().allowConcurrent()) {
            running.decrementAndGet();
            sentinels();
            return RuntimeReplies.error(403, "System not ready, status is running.");
        }
        try {
            byte[] raw = r.body(server.config().maxBodyBytes());
            RunBody.TopLevel body;
            try {
                body = RunBody.read(raw);
            } catch (RunBody.NotAnObject e) {
                // An application error (200 + error), not a 4xx: OpenWhisk destroys a container that answers /run
                // with anything but 200 (docs/runtime.md), and a bad request must not cost a warm container.
                return RuntimeReplies.rejection(200, "malformed", "malformed", "the /run body must be a JSON object" + e.getMessage());
            }
            if (body.value() == null || !body.valueIsObject()) {
                return RuntimeReplies.rejection(200, "malformed", "malformed", "value must be a request envelope object");
            }
            return switch (server.serve(c, body.value().copyOf(raw))) {
                case Outcome.Sealed s -> RuntimeReplies.sealed(200, s.envelopeJson(), s.timing());
                case Outcome.Rejected x -> RuntimeReplies.rejected(x.code() == ErrorCode.BUSY ? 503 : 200, x);
            };
        } finally {
            running.decrementAndGet();
            sentinels();
        }
    }

    /** PrintStream is thread-safe (println is atomic), so no monitor is held around this blocking pipe write. */
    private void sentinels() {
        out.println(RuntimeServer.SENTINEL);
        out.flush();
        err.println(RuntimeServer.SENTINEL);
        err.flush();
    }
}
