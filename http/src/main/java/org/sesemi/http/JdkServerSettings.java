package org.sesemi.http;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JDK HTTP server's deadlines and socket options: the one place that sets its {@code sun.net.httpserver.*} system
 * properties. <strong>They are JVM-wide and read once per process</strong>, when the first JDK server of the JVM is
 * created (any server: also a test's own); later changes have no effect. So every server here gets the same values,
 * applied by {@link HttpService#start()} before it creates its server, and an in-process stack does not depend on
 * which server started first. A property already set (on the command line: {@code -Dsun.net.httpserver.maxReqTime=10})
 * is left as it is.
 *
 * <ul>
 *   <li>{@code maxReqTime} 30 s: a request (headers and body) must arrive within it, or the connection is closed (read
 *       timeout: a slow-loris client cannot hold a connection, nor a refused body's drain hold a thread, for longer);
 *   <li>{@code maxRspTime} 330 s: a response must be taken within it of the request's end. The JDK counts the
 *       handler's time too, so it must exceed the longest legitimate request: OpenWhisk's 300 s action limit;
 *   <li>{@code idleInterval}: the JDK's default (30 s) closes idle keep-alive connections;
 *   <li>{@code nodelay} true: the JDK writes headers and body separately; without {@code TCP_NODELAY}, Nagle and
 *       delayed ACKs add ~40 ms to requests on a persistent connection;
 *   <li>{@code maxConnections} 4096: open connections are bounded (each costs a socket, and TLS state on HTTPS).
 * </ul>
 *
 * <p>A benchmark whose phases can take longer than the deadlines asks for longer ones with {@link #useDeadlines} before
 * its first server starts.
 */
public final class JdkServerSettings {
    private static final Logger LOG = LoggerFactory.getLogger(JdkServerSettings.class);
    public static final Duration DEFAULT_MAX_REQUEST = Duration.ofSeconds(30);
    public static final Duration DEFAULT_MAX_RESPONSE = Duration.ofSeconds(330);
    static final String MAX_REQ = "sun.net.httpserver.maxReqTime";
    static final String MAX_RSP = "sun.net.httpserver.maxRspTime";
    private static boolean applied;

    private JdkServerSettings() {}

    /**
     * Uses these request and response deadlines instead of the defaults (unless set on the command line). Effective
     * only before the first JDK server of the process is created; returns false (and logs) when that already happened.
     */
    public static synchronized boolean useDeadlines(Duration request, Duration response) {
        if (request.isNegative() || request.isZero() || response.isNegative() || response.isZero()) {
            throw new IllegalArgumentException("deadlines must be positive");
        }
        if (applied) {
            LOG.warn("the JDK HTTP server has read its deadlines already; {} s / {} s not applied", request.toSeconds(), response.toSeconds());
            return false;
        }
        setIfAbsent(MAX_REQ, Long.toString(Math.max(1, request.toSeconds())));
        setIfAbsent(MAX_RSP, Long.toString(Math.max(1, response.toSeconds())));
        return true;
    }

    /**
     * Sets the defaults (where nothing is set yet). {@link HttpService#start()} calls it before it creates its server;
     * a server not yet on the layer (the runtime, the gateway) calls it before creating its JDK server.
     */
    public static synchronized void apply() {
        if (applied) {
            return;
        }
        setIfAbsent("sun.net.httpserver.nodelay", "true");
        setIfAbsent(MAX_REQ, Long.toString(DEFAULT_MAX_REQUEST.toSeconds()));
        setIfAbsent(MAX_RSP, Long.toString(DEFAULT_MAX_RESPONSE.toSeconds()));
        setIfAbsent("sun.net.httpserver.maxConnections", "4096");
        applied = true;
    }

    /** The request deadline the JDK server uses in this process (seconds). */
    public static long maxRequestSeconds() {
        return Long.getLong(MAX_REQ, DEFAULT_MAX_REQUEST.toSeconds());
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
