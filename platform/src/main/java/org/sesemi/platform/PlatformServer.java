package org.sesemi.platform;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import org.sesemi.http.HttpService;
import org.sesemi.http.Router;
import org.sesemi.platform.api.Authenticator;
import org.sesemi.platform.api.PlatformApi;
import org.sesemi.platform.api.Throttles;
import org.sesemi.platform.invoker.Invoker;
import org.sesemi.platform.store.PlatformStore;
import org.sesemi.platform.store.Subject;
import org.sesemi.time.SystemTime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded platform's controller: opens the store (bootstrapping OpenWhisk standalone's {@code guest} and
 * {@code whisk.system} subjects on first start), and serves the REST API and {@code GET /metrics} on the HTTP layer
 * ({@link HttpService}: one virtual thread per request; blocking invokes wait on their activation, so threads must be
 * cheap).
 *
 * <p>The {@link Invoker} belongs to the caller: {@link #close()} stops the API and closes the store, and the caller
 * closes the invoker afterwards.
 *
 * <p>There is no TLS and the guest key is public, so the default bind address is loopback. A request (headers and
 * body) must arrive within 30 s (the layer's {@code JdkServerSettings}; {@code -Dsun.net.httpserver.maxReqTime=<seconds>}
 * overrides it for the process), so a slow-loris client cannot hold a connection forever.
 */
public final class PlatformServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PlatformServer.class);

    /** OpenWhisk standalone's well-known {@code guest} key; anyone who can reach the port can use it. */
    public static final String GUEST_API_KEY =
            "23bc46b1-71f6-4ed5-8c54-816aa4f8c502:123zO3xZCLrMN6v2BKK1dXYFpXlPkccOFqm12CdAsMgRU4VrNZ9lyGVCGuMDGIwP";
    /** OpenWhisk standalone's well-known {@code whisk.system} key. */
    public static final String WHISK_SYSTEM_API_KEY =
            "789c46b1-71f6-4ed5-8c54-816aa4f8c502:abczO3xZCLrMN6v2BKK1dXYFpXlPkccOFqm12CdAsMgRU4VrNZ9lyGVCGuMDGIwP";

    private final PlatformStore store;
    private final HttpService http;
    private final Throttles throttles;

    private PlatformServer(PlatformStore store, HttpService http, Throttles throttles) {
        this.store = store;
        this.http = http;
        this.throttles = throttles;
    }

    /** Opens the store, bootstraps the standard subjects if absent, and starts serving. */
    public static PlatformServer start(PlatformConfig config, Invoker invoker) {
        PlatformStore store = PlatformStore.open(config.database(), config.activationRetention());
        try {
            bootstrap(store, "guest", GUEST_API_KEY);
            bootstrap(store, "whisk.system", WHISK_SYSTEM_API_KEY);
            Throttles throttles = new Throttles(config.invocationsPerMinute(), config.concurrentInvocations(), SystemTime.clock());
            String build = PlatformServer.class.getPackage().getImplementationVersion();
            PlatformMetrics metrics = new PlatformMetrics(invoker);
            PlatformApi api = new PlatformApi(config, store, metrics.meter(invoker), throttles, SystemTime.clock(),
                    build == null ? "dev" : build);
            Router router = api.routes(Router.builder().ignoreTrailingSlash().get("/metrics", r -> metrics.scrape())).build();
            HttpService http = HttpService.builder("platform").bind(config.bindAddress(), config.port()).backlog(128)
                    .router(router).before(api.before()).errors(api.errors()).observer(metrics.requests()).start();
            LOG.info("platform API listening on http://{}:{}", config.bindAddress().getHostAddress(), http.port());
            return new PlatformServer(store, http, throttles);
        } catch (IOException e) {
            store.close();
            throw new UncheckedIOException("cannot listen on " + config.bindAddress() + ":" + config.port(), e);
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }

    private static void bootstrap(PlatformStore store, String name, String apiKey) {
        int colon = apiKey.indexOf(':');
        store.addSubjectIfAbsent(new Subject(name, name, apiKey.substring(0, colon), Authenticator.hashKey(apiKey.substring(colon + 1))));
    }

    /** The port the API listens on (the ephemeral one when configured with 0). */
    public int port() {
        return http.port();
    }

    /** {@code http://host:port}, the value for {@code __OW_API_HOST} / the client's {@code apihost}. */
    public URI apiHost() {
        return URI.create("http://" + http.address().getAddress().getHostAddress() + ":" + port());
    }

    /** The store (for operators' tools and tests that check what was persisted). */
    public PlatformStore store() {
        return store;
    }

    /** The per-namespace throttles (in-flight counts for monitoring). */
    public Throttles throttles() {
        return throttles;
    }

    /** Stops serving (requests still waiting are cut off) and closes the store. Does not close the invoker. */
    @Override
    public void close() {
        http.close();
        store.close();
    }
}
