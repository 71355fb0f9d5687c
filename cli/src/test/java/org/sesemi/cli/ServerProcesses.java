package org.sesemi.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Waiting for, bounding and stopping servers that tests run as child processes ({@link SesemiProcess#start}): until an
 * HTTP endpoint answers, until a line appears in the output, a call that must answer within a bound (else the test
 * fails with the server's thread dump), and a forced stop of a server with everything it started.
 */
final class ServerProcesses {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private ServerProcesses() {}

    /** Waits until {@code GET uri} answers 200; fails with the server's stderr if it exits or {@code limit} passes. */
    static void awaitHttp(URI uri, Process p, Path err, Duration limit) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            try {
                HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).GET().build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).as("GET " + uri + ": " + r.body()).isEqualTo(200);
                return;
            } catch (IOException notYet) {
                // not listening yet
            }
            assertThat(p.isAlive()).as("the server exited: " + text(err)).isTrue();
            assertThat(System.nanoTime()).as("GET " + uri + " did not answer within " + limit + ": " + text(err)).isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    /** Waits until {@code out} has a line matching {@code pattern}; returns its first group. */
    static String awaitLine(Path out, Process p, Path err, Pattern pattern, Duration limit) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            Matcher m = pattern.matcher(text(out));
            if (m.find()) {
                return m.group(1);
            }
            assertThat(p.isAlive()).as("the server exited: " + text(err)).isTrue();
            assertThat(System.nanoTime()).as("no line matching " + pattern + " within " + limit + " in " + text(out) + text(err))
                    .isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    /**
     * Runs {@code call} on {@code calls} and returns its result; fails with {@code server}'s thread dump if it does not
     * answer within {@code bound}, and with the call's own exception if it fails.
     */
    static <T> T within(ExecutorService calls, String what, Process server, Duration bound, Callable<T> call) throws Exception {
        Future<T> f = calls.submit(call);
        try {
            return f.get(bound.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            throw new AssertionError(what + " did not answer within " + bound + "; the server's threads:\n" + SesemiProcess.threadDump(server.pid()));
        } catch (ExecutionException e) {
            throw new AssertionError(what + ": failed", e.getCause());
        }
    }

    /** Stops {@code p} and every process it started, forcibly, and waits (up to 20 s) for it to end. */
    static void stop(Process p) throws InterruptedException {
        if (p == null) {
            return;
        }
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        p.waitFor(20, TimeUnit.SECONDS);
    }

    private static String text(Path file) throws IOException {
        return Files.exists(file) ? Files.readString(file) : "";
    }
}
