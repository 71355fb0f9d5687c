package org.sesemi.platform.invoker;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeoutException;
import org.sesemi.time.Ticker;

/**
 * HTTP/1.1 to one container on loopback, on the caller's (virtual) thread and over kept-alive connections: a warm
 * {@code /run} costs one write and one read on an open socket, with no thread hand-off and no connection set-up (the
 * platform's warm hop, issue #13). Only what the action protocol needs: {@code POST} with a JSON body; answers with a
 * {@code Content-Length}, chunked, or (HTTP/1.0 style) until the connection closes — the latter two are reported
 * without a length, as the action protocol requires one. Thread-safe: each exchange takes its own connection; idle ones
 * wait in a small pool.
 */
final class ContainerConnections implements AutoCloseable {
    /** Idle connections kept per container (more concurrent exchanges open more, then close the surplus). */
    static final int MAX_IDLE = 16;
    /** A connection idle longer than this is not reused: the container's server may have closed it meanwhile. */
    static final long MAX_IDLE_NANOS = Duration.ofSeconds(5).toNanos();
    private static final int MAX_HEADER_BYTES = 64 * 1024;

    private final int port;
    private final Ticker ticker;
    private final ConcurrentLinkedDeque<Connection> idle = new ConcurrentLinkedDeque<>();
    private volatile boolean closed;

    ContainerConnections(int port, Ticker ticker) {
        this.port = port;
        this.ticker = ticker;
    }

    private static final class Connection {
        final Socket socket;
        final InputStream in;
        final OutputStream out;
        long idleSince;

        Connection(Socket socket) throws IOException {
            this.socket = socket;
            this.in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
            this.out = socket.getOutputStream();
        }

        void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    /**
     * POSTs {@code body} to {@code path} and reads at most {@code maxBytes} of the answer, all within {@code timeout}.
     *
     * @throws TimeoutException no (complete) answer in time
     * @throws IOException the connection failed or dropped
     */
    ProcessContainer.Response post(String path, byte[] body, Duration timeout, int maxBytes) throws IOException, TimeoutException {
        long deadline = ticker.read() + timeout.toNanos();
        Connection c = pooled();
        if (c != null) {
            try {
                return exchange(c, path, body, deadline, maxBytes);
            } catch (StaleConnection e) {
                // The container closed the kept-alive connection before reading this request: try once on a new one.
            }
        }
        try {
            return exchange(open(deadline), path, body, deadline, maxBytes);
        } catch (StaleConnection e) {
            throw new EOFException("the container closed the connection without answering");
        }
    }

    private Connection pooled() {
        Connection c;
        while ((c = idle.pollFirst()) != null) {
            if (ticker.read() - c.idleSince < MAX_IDLE_NANOS && !c.socket.isClosed()) {
                return c;
            }
            c.close();
        }
        return null;
    }

    private Connection open(long deadline) throws IOException, TimeoutException {
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), remainingMillis(deadline));
            return new Connection(s);
        } catch (SocketTimeoutException e) {
            s.close();
            throw new TimeoutException("no connection within the time limit");
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    /** A reused connection that the peer had closed: nothing of an answer arrived. */
    private static final class StaleConnection extends Exception {
        private static final long serialVersionUID = 1L;
    }

    private ProcessContainer.Response exchange(Connection c, String path, byte[] body, long deadline, int maxBytes)
            throws IOException, TimeoutException, StaleConnection {
        boolean reuse = false;
        boolean answered = false;
        try {
            byte[] head = ("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nContent-Type: application/json\r\n"
                    + "Accept: application/json\r\nContent-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
            c.socket.setSoTimeout(remainingMillis(deadline));
            c.out.write(head);
            c.out.write(body);
            c.out.flush();
            String status = line(c, deadline);
            answered = true;
            int code = statusCode(status);
            long length = -1;
            boolean chunked = false, close = status.startsWith("HTTP/1.0");
            for (String h = line(c, deadline); !h.isEmpty(); h = line(c, deadline)) {
                int colon = h.indexOf(':');
                if (colon <= 0) {
                    throw new IOException("malformed header from the container");
                }
                String name = h.substring(0, colon).trim().toLowerCase(Locale.ROOT), value = h.substring(colon + 1).trim();
                switch (name) {
                    case "content-length" -> length = parseLength(value);
                    case "transfer-encoding" -> chunked = !value.equalsIgnoreCase("identity");
                    case "connection" -> close |= value.equalsIgnoreCase("close");
                    default -> { }
                }
            }
            if (chunked) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                reuse = !close && readChunks(c, deadline, maxBytes, out);
                return new ProcessContainer.Response(code, out.toByteArray(), OptionalLong.empty());
            }
            if (length < 0) {
                return new ProcessContainer.Response(code, readToEnd(c, deadline, maxBytes), OptionalLong.empty());
            }
            byte[] bytes = read(c, (int) Math.min(length, maxBytes), deadline);
            reuse = !close && length <= maxBytes;
            return new ProcessContainer.Response(code, bytes, OptionalLong.of(length));
        } catch (SocketTimeoutException e) {
            throw new TimeoutException("no answer within the time limit");
        } catch (IOException e) {
            if (!answered && !(e instanceof MalformedAnswer)) {
                c.close();
                throw new StaleConnection();
            }
            throw e;
        } finally {
            if (reuse && !closed) {
                release(c);
            } else if (!reuse) {
                c.close();
            }
        }
    }

    private void release(Connection c) {
        c.idleSince = ticker.read();
        if (idle.size() < MAX_IDLE) {
            idle.addFirst(c);
            if (closed && idle.remove(c)) {
                c.close();
            }
        } else {
            c.close();
        }
    }

    private static final class MalformedAnswer extends IOException {
        private static final long serialVersionUID = 1L;

        MalformedAnswer(String message) {
            super(message);
        }
    }

    private static int statusCode(String statusLine) throws IOException {
        // "HTTP/1.1 200 OK"
        if (!statusLine.startsWith("HTTP/1.") || statusLine.length() < 12) {
            throw new MalformedAnswer("not an HTTP answer from the container");
        }
        try {
            return Integer.parseInt(statusLine.substring(9, 12));
        } catch (NumberFormatException e) {
            throw new MalformedAnswer("not an HTTP status from the container");
        }
    }

    private static long parseLength(String v) throws IOException {
        try {
            long n = Long.parseLong(v);
            if (n < 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new MalformedAnswer("bad Content-Length from the container");
        }
    }

    /** One header line without its CRLF; EOF before any byte of the status line is a stale connection (IOException). */
    private String line(Connection c, long deadline) throws IOException, TimeoutException {
        ByteArrayOutputStream b = new ByteArrayOutputStream(64);
        while (true) {
            c.socket.setSoTimeout(remainingMillis(deadline));
            int x = c.in.read();
            if (x < 0) {
                throw new EOFException("the container closed the connection");
            }
            if (x == '\n') {
                byte[] bytes = b.toByteArray();
                int n = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, n, StandardCharsets.ISO_8859_1);
            }
            if (b.size() >= MAX_HEADER_BYTES) {
                throw new MalformedAnswer("header too long from the container");
            }
            b.write(x);
        }
    }

    private byte[] read(Connection c, int n, long deadline) throws IOException, TimeoutException {
        byte[] out = new byte[n];
        int off = 0;
        while (off < n) {
            c.socket.setSoTimeout(remainingMillis(deadline));
            int r = c.in.read(out, off, n - off);
            if (r < 0) {
                throw new MalformedAnswer("the container closed the connection in the middle of its answer");
            }
            off += r;
        }
        return out;
    }

    /** Decodes a chunked body into {@code out} up to {@code maxBytes}; true when it was read to its end. */
    private boolean readChunks(Connection c, long deadline, int maxBytes, ByteArrayOutputStream out) throws IOException, TimeoutException {
        while (true) {
            String sizeLine = line(c, deadline);
            int semi = sizeLine.indexOf(';');
            long size;
            try {
                size = Long.parseLong((semi < 0 ? sizeLine : sizeLine.substring(0, semi)).trim(), 16);
            } catch (NumberFormatException e) {
                throw new MalformedAnswer("bad chunk size from the container");
            }
            if (size == 0) {
                while (!line(c, deadline).isEmpty()) {
                    // trailers: ignored
                }
                return true;
            }
            if (out.size() + size > maxBytes) {
                out.write(read(c, maxBytes - out.size(), deadline));
                return false;
            }
            out.write(read(c, (int) size, deadline));
            if (!line(c, deadline).isEmpty()) {
                throw new MalformedAnswer("bad chunk from the container");
            }
        }
    }

    private byte[] readToEnd(Connection c, long deadline, int maxBytes) throws IOException, TimeoutException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        while (out.size() < maxBytes) {
            c.socket.setSoTimeout(remainingMillis(deadline));
            int r = c.in.read(buf, 0, Math.min(buf.length, maxBytes - out.size()));
            if (r < 0) {
                break;
            }
            out.write(buf, 0, r);
        }
        return out.toByteArray();
    }

    private int remainingMillis(long deadline) throws TimeoutException {
        long left = deadline - ticker.read();
        if (left <= 0) {
            throw new TimeoutException("no answer within the time limit");
        }
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, (left + 999_999) / 1_000_000));
    }

    @Override
    public void close() {
        closed = true;
        Connection c;
        while ((c = idle.pollFirst()) != null) {
            c.close();
        }
    }
}
