package org.sesemi.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import org.sesemi.time.SystemTime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One server of the layer: a JDK HTTP(S) server with one virtual thread per exchange, in front of a {@link Router}.
 *
 * <p>Per exchange: {@link Before} (headers every answer carries, or an answer of its own); the early body check (a
 * declared {@code Content-Length} above {@link Builder#refuseDeclaredAbove} is refused before routing); the route
 * ({@link HttpException} 404/405); the handler. Any exception becomes the API's error body through its
 * {@link ErrorShape}; an {@link java.io.IOException} means the client went away and nothing more is sent. An answer
 * that leaves a large body unread (a refusal, most often) carries {@code Connection: close}, is flushed, and then a
 * bounded part of the body is drained ({@link Builder#drainLimit}) before the connection closes, so that a client still
 * sending reads the answer instead of a reset. Then the access log and the {@link RequestObserver}.
 *
 * <p>Threading (docs/architecture.md, "Threads"): handlers run on virtual threads and may only wait on sockets, futures
 * and {@code java.util.concurrent} locks; blocking file, process or native work goes to a bounded pool of platform
 * threads. Deadlines: {@link JdkServerSettings}.
 */
public final class HttpService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HttpService.class);

    private final String name;
    private final HttpServer server;
    private final ExecutorService executor;
    private final Router router;
    private final Before before;
    private final ErrorShape errors;
    private final RequestObserver observer;
    private final AccessLog accessLog;
    private final long refuseDeclaredAbove;
    private final long drainLimit;

    private HttpService(Builder b, HttpServer server, ExecutorService executor) {
        this.name = b.name;
        this.server = server;
        this.executor = executor;
        this.router = b.router;
        this.before = b.before;
        this.errors = b.errors;
        this.observer = b.observer;
        this.accessLog = new AccessLog(b.name);
        this.refuseDeclaredAbove = b.refuseDeclaredAbove;
        this.drainLimit = b.drainLimit;
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** The bound address (the ephemeral port when configured with 0). */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** Stops listening and cuts off exchanges still running. */
    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange ex) {
        Request req = new Request(ex, SystemTime.ticker().read());
        int status = -1;
        long out = 0;
        try {
            Response resp;
            try {
                resp = dispatch(req);
            } catch (RuntimeException e) {
                resp = render(req, e);
            }
            status = resp.status();
            out = write(req, resp);
        } catch (IOException e) {
            // the client went away (or broke the framing) mid-exchange: there is nobody to answer
            LOG.debug("{}: connection failed on {} {}: {}", name, req.methodLabel(), req.route(), e.toString());
            status = -1;
        } finally {
            ex.close();
        }
        long nanos = SystemTime.ticker().read() - req.startNanos();
        accessLog.completed(req.methodLabel(), req.route(), status, nanos, req.bytesIn(), out);
        try {
            observer.completed(req.methodLabel(), req.route(), status, nanos, req.bytesIn(), out);
        } catch (RuntimeException e) {
            LOG.warn("{}: request observer failed: {}", name, e.toString());
        }
    }

    private Response dispatch(Request req) throws IOException {
        Optional<Response> early = before.apply(req);
        if (early.isPresent()) {
            return early.get();
        }
        if (refuseDeclaredAbove >= 0) {
            long declared = req.declaredLength();
            if (declared > refuseDeclaredAbove) {
                throw HttpException.tooLarge(declared, refuseDeclaredAbove);
            }
        }
        Router.Match m = router.match(req.method(), req.rawPath());
        req.matched(m);
        return m.handler().handle(req);
    }

    private Response render(Request req, RuntimeException e) {
        try {
            return errors.render(req, e);
        } catch (RuntimeException failed) {
            LOG.error("{}: the error shape failed on {} {}: {}", name, req.methodLabel(), req.route(), failed.toString());
            return Response.empty(500);
        }
    }

    /** Sends the answer; returns the body bytes written. */
    private long write(Request req, Response resp) throws IOException {
        HttpExchange ex = req.exchange();
        var h = ex.getResponseHeaders();
        req.responseHeaders().forEach(h::set);
        resp.headers().forEach(h::set);
        if (resp.contentType() != null) {
            h.set("Content-Type", resp.contentType());
        }
        boolean unread = req.mayHaveLargeUnreadBody();
        if (!unread && req.hasUnreadBody()) {
            // A small body nobody read (an answer given before the body: 401, 404, 405...): read it before answering,
            // so the request is consumed before the client, holding its answer, sends the next one on this connection.
            Drain.discard(ex.getRequestBody(), Request.JDK_DRAIN);
        }
        if (unread) {
            // the JDK server drops a connection rather than drain a large unread body: say so, lest a client reuse it
            h.set("Connection", "close");
        }
        long length = resp.bodyLength();
        ex.sendResponseHeaders(resp.status(), length == 0 ? -1 : length);
        OutputStream os = ex.getResponseBody();
        for (ByteBuffer part : resp.bodyParts()) {
            write(os, part);
        }
        if (unread) {
            os.flush();
            Drain.discard(ex.getRequestBody(), drainLimit);
        }
        os.close();
        return length;
    }

    /** Writes a part's remaining bytes without moving its position (no copy when it is backed by an array). */
    private static void write(OutputStream os, ByteBuffer part) throws IOException {
        if (!part.hasRemaining()) {
            return;
        }
        if (part.hasArray()) {
            os.write(part.array(), part.arrayOffset() + part.position(), part.remaining());
            return;
        }
        ByteBuffer b = part.duplicate();
        byte[] chunk = new byte[Math.min(b.remaining(), 64 * 1024)];
        while (b.hasRemaining()) {
            int n = Math.min(chunk.length, b.remaining());
            b.get(chunk, 0, n);
            os.write(chunk, 0, n);
        }
    }

    /** Configures a service; {@link #start()} binds and serves. */
    public static final class Builder {
        private final String name;
        private InetAddress bindAddress = InetAddress.getLoopbackAddress();
        private int port;
        private int backlog = 128;
        private SSLContext ssl;
        private Consumer<SSLParameters> tlsParameters = p -> { };
        private Router router;
        private Before before = r -> Optional.empty();
        private ErrorShape errors = (r, e) -> e instanceof HttpException h ? Response.empty(h.status()) : Response.empty(500);
        private RequestObserver observer = RequestObserver.NONE;
        private long refuseDeclaredAbove = -1;
        private long drainLimit = BodyPolicy.DEFAULT_DRAIN;

        private Builder(String name) {
            this.name = Objects.requireNonNull(name);
        }

        public Builder bind(InetAddress address, int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port out of range: " + port);
            }
            this.bindAddress = Objects.requireNonNull(address);
            this.port = port;
            return this;
        }

        public Builder backlog(int backlog) {
            this.backlog = backlog;
            return this;
        }

        /** Serves HTTPS with this context; {@code parameters} adjusts each connection's parameters (protocols, client auth). */
        public Builder tls(SSLContext ssl, Consumer<SSLParameters> parameters) {
            this.ssl = Objects.requireNonNull(ssl);
            this.tlsParameters = Objects.requireNonNull(parameters);
            return this;
        }

        public Builder router(Router router) {
            this.router = Objects.requireNonNull(router);
            return this;
        }

        public Builder before(Before before) {
            this.before = Objects.requireNonNull(before);
            return this;
        }

        public Builder errors(ErrorShape errors) {
            this.errors = Objects.requireNonNull(errors);
            return this;
        }

        public Builder observer(RequestObserver observer) {
            this.observer = Objects.requireNonNull(observer);
            return this;
        }

        /** Refuses any request declaring a body above this size before routing or authenticating it (413). */
        public Builder refuseDeclaredAbove(long bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("negative body limit");
            }
            this.refuseDeclaredAbove = bytes;
            return this;
        }

        /** At most this much of a refused body is read and discarded after the answer (default 8 MiB). */
        public Builder drainLimit(long bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("negative drain limit");
            }
            this.drainLimit = bytes;
            return this;
        }

        /** Binds and starts serving (after {@link JdkServerSettings} are applied). */
        public HttpService start() throws IOException {
            if (router == null) {
                throw new IllegalStateException("a service needs a router");
            }
            JdkServerSettings.apply();
            InetSocketAddress at = new InetSocketAddress(bindAddress, port);
            HttpServer server;
            if (ssl != null) {
                HttpsServer https = HttpsServer.create(at, backlog);
                Consumer<SSLParameters> adjust = tlsParameters;
                https.setHttpsConfigurator(new HttpsConfigurator(ssl) {
                    @Override
                    public void configure(HttpsParameters params) {
                        SSLParameters p = getSSLContext().getDefaultSSLParameters();
                        adjust.accept(p);
                        params.setSSLParameters(p);
                    }
                });
                server = https;
            } else {
                server = HttpServer.create(at, backlog);
            }
            ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
            server.setExecutor(executor);
            HttpService service = new HttpService(this, server, executor);
            server.createContext("/", service::handle);
            server.start();
            return service;
        }
    }
}
