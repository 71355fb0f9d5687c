package org.sesemi.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sesemi.client.platform.OpenWhiskClient;

/**
 * The runtime image ({@code deploy/images/build}) run by the embedded platform in real containers
 * ({@code --containers podman|docker}): the whole demo (cold start, warm requests, three models, a refused stranger)
 * leaving no container behind; and a container killed in the middle of a request, which gives that request a clear
 * error while the next request is served by a new container that was started with the action's memory limit, is
 * paused once idle past the pause grace and resumed for the next request; and the demo under a stock OpenWhisk's limits.
 *
 * <p>Skips, saying why, where neither podman nor a docker daemon answers. Where the image is missing or was built from
 * other code than the {@code sesemi} jar under test, it (re)builds it with {@code deploy/images/build --only runtime}.
 */
class ContainerPlatformIT {
    private static final String GUEST = "23bc46b1-71f6-4ed5-8c54-816aa4f8c502:123zO3xZCLrMN6v2BKK1dXYFpXlPkccOFqm12CdAsMgRU4VrNZ9lyGVCGuMDGIwP";
    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    private static String engine;

    @TempDir Path dir;

    @BeforeAll
    static void engineAndImage() throws Exception {
        engine = works("podman", "info") ? "podman" : works("docker", "info") ? "docker" : null;
        assumeTrue(engine != null, "skipped: neither podman nor a docker daemon is available here, so the container backend cannot run "
                + "(deploy/images/container-engine installs and configures podman)");
        SesemiProcess.Result measure = SesemiProcess.run("measure");
        Matcher m = Pattern.compile("\"codeDigest\":\"([0-9a-f]{64})\"").matcher(measure.stdout());
        assertThat(m.find()).as(measure.stdout() + measure.stderr()).isTrue();
        String label = output(engine, "image", "inspect", "--format", "{{index .Config.Labels \"" + Containers.CODE_DIGEST_LABEL + "\"}}",
                Containers.semirtReference(engine)).strip();
        if (!label.equals(m.group(1))) {
            System.err.println("ContainerPlatformIT: building the runtime image for this jar (image digest '" + label + "')");
            Process build = new ProcessBuilder(ROOT.resolve("deploy/images/build").toString(), "--engine", engine, "--only", "runtime")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.INHERIT).start();
            assertThat(build.waitFor(20, TimeUnit.MINUTES)).as("image build finished").isTrue();
            assertThat(build.exitValue()).as("deploy/images/build --only runtime").isZero();
        }
    }

    @Test
    void theDemoRunsInContainersAndLeavesNoneBehind() throws Exception {
        SesemiProcess.Result demo = SesemiProcess.run("demo", "--containers", engine);
        assertThat(demo.exitCode()).as(demo.stdout() + demo.stderr()).isZero();
        assertThat(demo.stdout()).contains(engine + " containers of " + Containers.semirtReference(engine))
                .containsPattern("request 1 cold").containsPattern("request 2 warm")
                .contains("the stranger (no grant) is refused by the runtime")
                .contains("1 container cold start");
        assertThat(labelledContainers()).as("containers left behind").isEmpty();
    }

    @Test
    void theDemoRunsInContainersUnderAStockOpenWhisksLimits() throws Exception {
        SesemiProcess.Result demo = SesemiProcess.run("demo", "--containers", engine, "--limits", "openwhisk");
        assertThat(demo.exitCode()).as(demo.stdout() + demo.stderr()).isZero();
        assertThat(demo.stdout()).contains(engine + " containers of " + Containers.semirtReference(engine))
                .contains("each sesemi/semirt, 512 MB, one request at a time")
                .containsPattern("request 10 -> fp-demo-\\d, activation [0-9a-f]{32}, warm container, application error");
        assertThat(labelledContainers()).as("containers left behind").isEmpty();
    }

    @Test
    void aContainerKilledMidRequestIsAClearErrorAndTheNextRequestIsServed() throws Exception {
        Path tee = Files.createDirectories(dir.resolve("tee"));
        Files.createDirectories(dir.resolve("models"));
        int ksPort = SesemiProcess.freePort();
        Process ks = SesemiProcess.start(dir.resolve("ks.out"), dir.resolve("ks.err"), "keyservice", "serve", "--port",
                Integer.toString(ksPort), "--db", dir.resolve("ks.db").toString(), "--tee-dir", tee.toString());
        int apiPort = SesemiProcess.freePort();
        Process platform = null;
        try (StallingProxy proxy = new StallingProxy(ksPort)) {
            String measurement = ServerProcesses.awaitLine(dir.resolve("ks.out"), ks, dir.resolve("ks.err"),
                    Pattern.compile("measurement (sgx:[0-9a-f]{64})"), Duration.ofSeconds(120));
            platform = SesemiProcess.start(dir.resolve("platform.out"), dir.resolve("platform.err"), "platform", "serve", "--port",
                    Integer.toString(apiPort), "--data", dir.resolve("data").toString(), "--containers", engine, "--mount", dir.toString(),
                    "--pause-grace", "PT3S");
            URI host = URI.create("http://127.0.0.1:" + apiPort);
            ServerProcesses.awaitHttp(host.resolve("/api/v1"), platform, dir.resolve("platform.err"), Duration.ofSeconds(120));
            OpenWhiskClient ow = new OpenWhiskClient(host, GUEST, "_");
            ow.putAction("semirt", OpenWhiskClient.BlackboxAction.of(PlatformCommand.SEMIRT_IMAGE).withMemoryMb(512).withConcurrency(4)
                    .withTimeoutMs(120_000).withInitParameters(Map.of(
                            "SESEMI_KS_URL", "https://127.0.0.1:" + proxy.port(), "SESEMI_KS_MEASUREMENT", measurement,
                            "SESEMI_TEE", "simulated", "SESEMI_TEE_DIR", tee.toString(), "SESEMI_MODEL_STORE", dir.resolve("models").toString())),
                    false);

            // 1. The container's /init hangs in the KeyService handshake (the proxy holds it); kill the container then.
            proxy.stall.set(true);
            CompletableFuture<OpenWhiskClient.Invoked> first = CompletableFuture.supplyAsync(() -> invoke(ow));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (proxy.connections.get() == 0) {
                assertThat(System.nanoTime()).as("the container reached the KeyService during /init").isLessThan(deadline);
                assertThat(first).as("the first request is still in flight").isNotDone();
                Thread.sleep(50);
            }
            List<String> running = labelledContainers();
            assertThat(running).hasSize(1);
            assertThat(output(engine, "inspect", "--format", "{{.HostConfig.Memory}}", running.getFirst()).strip())
                    .as("the action's memory limit").isEqualTo(Long.toString(512L * 1024 * 1024));
            output(engine, "kill", running.getFirst());
            OpenWhiskClient.Invoked crashed = first.get(120, TimeUnit.SECONDS);
            assertThat(crashed.status()).isEqualTo(502);
            assertThat(crashed.body().path("response").path("status").asText()).isEqualTo("action developer error");
            assertThat(crashed.result().path("error").asText()).isEqualTo("The action did not initialize and exited unexpectedly.");

            // 2. The next request gets a new container, initialised through the KeyService, and is answered by it.
            proxy.stall.set(false);
            proxy.releaseStalled();
            OpenWhiskClient.Invoked next = invoke(ow);
            assertThat(next.annotation("initTime")).as("a new container (cold start)").isPresent();
            assertThat(next.body().path("response").path("status").asText()).as(next.body().toString())
                    .isIn("success", "application error");
            assertThat(next.result().toString()).doesNotContain("exited unexpectedly");
            OpenWhiskClient.Invoked warm = invoke(ow);
            assertThat(warm.annotation("initTime")).as("the same container (warm)").isEmpty();
            assertThat(warm.body().path("response").path("status").asText()).isEqualTo(next.body().path("response").path("status").asText());
            assertThat(labelledContainers()).hasSize(1);

            // 3. Idle past the pause grace, the container is paused; the next request resumes it (same container, warm).
            String name = labelledContainers().getFirst();
            long pauseDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!output(engine, "inspect", "--format", "{{.State.Status}}", name).strip().equals("paused")) {
                assertThat(System.nanoTime()).as("the idle container was paused").isLessThan(pauseDeadline);
                Thread.sleep(200);
            }
            OpenWhiskClient.Invoked resumed = invoke(ow);
            assertThat(resumed.annotation("initTime")).as("the paused container, resumed (warm)").isEmpty();
            assertThat(resumed.body().path("response").path("status").asText()).isEqualTo(next.body().path("response").path("status").asText());
            assertThat(labelledContainers()).containsExactly(name);

            // 4. Stopping the platform removes its containers (paused ones too).
            platform.destroy();
            assertThat(platform.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(labelledContainers()).as("containers left behind").isEmpty();
        } finally {
            if (platform != null) {
                platform.destroyForcibly();
                platform.waitFor(30, TimeUnit.SECONDS);
            }
            ks.destroyForcibly();
            ks.waitFor(30, TimeUnit.SECONDS);
            for (String name : labelledContainers()) {
                output(engine, "rm", "--force", name);
            }
        }
    }

    private static OpenWhiskClient.Invoked invoke(OpenWhiskClient ow) {
        try {
            // Not a valid envelope: the runtime answers it itself, which is all this test needs from a served request.
            return ow.invoke("semirt", JsonNodeFactory.instance.objectNode().put("probe", 1), true, 60_000);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Containers started by any SeSeMI invoker (label org.sesemi.invoker), running or not. */
    private static List<String> labelledContainers() throws Exception {
        String out = output(engine, "ps", "--all", "--filter", "label=org.sesemi.invoker", "--format", "{{.Names}}");
        return out.lines().map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    private static boolean works(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return false;
            }
            return p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static String output(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as(String.join(" ", command)).isTrue();
        return out;
    }

    /** A TCP proxy to the KeyService that, while {@link #stall} is set, accepts connections and holds them unanswered. */
    private static final class StallingProxy implements AutoCloseable {
        final AtomicBoolean stall = new AtomicBoolean();
        final AtomicInteger connections = new AtomicInteger();
        private final ServerSocket server;
        private final int target;
        private final List<Socket> held = new CopyOnWriteArrayList<>();
        private final List<Socket> open = new CopyOnWriteArrayList<>();

        StallingProxy(int target) throws IOException {
            this.target = target;
            this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread.ofPlatform().daemon().name("stalling-proxy").start(this::accept);
        }

        int port() {
            return server.getLocalPort();
        }

        private void accept() {
            while (!server.isClosed()) {
                try {
                    Socket client = server.accept();
                    open.add(client);
                    if (stall.get()) {
                        connections.incrementAndGet();
                        held.add(client);
                        continue;
                    }
                    Socket upstream = new Socket(InetAddress.getLoopbackAddress(), target);
                    open.add(upstream);
                    pipe(client, upstream);
                    pipe(upstream, client);
                } catch (IOException e) {
                    // closed, or the KeyService refused: the client sees its connection fail
                }
            }
        }

        private static void pipe(Socket from, Socket to) {
            Thread.ofPlatform().daemon().name("proxy-pipe").start(() -> {
                try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                    in.transferTo(out);
                } catch (IOException e) {
                    // one side closed
                } finally {
                    close(from);
                    close(to);
                }
            });
        }

        void releaseStalled() {
            List<Socket> all = new ArrayList<>(held);
            held.clear();
            all.forEach(StallingProxy::close);
        }

        private static void close(Socket s) {
            try {
                s.close();
            } catch (IOException ignored) {
                // already closed
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
            open.forEach(StallingProxy::close);
        }
    }
}
