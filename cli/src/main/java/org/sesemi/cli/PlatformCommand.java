package org.sesemi.cli;

import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.sesemi.platform.PlatformConfig;
import org.sesemi.platform.PlatformServer;
import org.sesemi.platform.invoker.ContainerPool;
import org.sesemi.platform.invoker.EngineLauncher;
import org.sesemi.platform.invoker.ImageRegistry;
import org.sesemi.platform.invoker.InvokerConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sesemi platform serve}: the embedded OpenWhisk-compatible platform (docs/platform.md). */
@Command(name = "platform", mixinStandardHelpOptions = true, description = "The embedded OpenWhisk-compatible serverless platform.",
        subcommands = {PlatformCommand.Serve.class})
final class PlatformCommand {
    /** The image name under which this build's SeMIRT runtime is available to blackbox actions. */
    static final String SEMIRT_IMAGE = "sesemi/semirt";

    /**
     * The images this installation provides: {@value #SEMIRT_IMAGE}, started as {@code sesemi runtime serve} on the
     * invoker's port with the same JVM, class path and JVM options as this process (so a simulated runtime has the
     * measurement {@code sesemi measure} reports), accepting concurrent activations.
     */
    static ImageRegistry images(Map<String, ImageRegistry.Image> extra) {
        Map<String, ImageRegistry.Image> all = new LinkedHashMap<>();
        all.put(SEMIRT_IMAGE, semirtImage());
        all.putAll(extra);
        return ImageRegistry.of(all);
    }

    static ImageRegistry.Image semirtImage() {
        return semirtImage(List.of());
    }

    /**
     * What the runtime image's JVM gets in an OpenWhisk container of {@code limits.memory} MB ({@code deploy/images}: the
     * JVM reads the container's limit, {@code JAVA_OPTS=-XX:MaxRAMPercentage=50}, and below 1792 MB its ergonomics choose
     * the Serial collector), given explicitly here because the embedded platform's containers are processes without a
     * memory limit: without them a runtime sized its heap from the host's memory (G1, a quarter of 24 GiB) and a 256 MB
     * function's runtime peaked far above 256 MB ({@code docs/benchmarks.md}, "Cold start", memory). {@code {memory}} is
     * the function's memory ({@link ImageRegistry#MEMORY}).
     */
    static final List<String> CONTAINER_MEMORY_OPTIONS = List.of("-XX:MaxRAM=" + ImageRegistry.MEMORY + "m", "-XX:MaxRAMPercentage=50",
            "-XX:+UseSerialGC");

    /** {@link #CONTAINER_MEMORY_OPTIONS} for a container of {@code memoryMb} (outside the platform: AOT training). */
    static List<String> containerMemoryOptions(int memoryMb) {
        return CONTAINER_MEMORY_OPTIONS.stream().map(o -> o.replace(ImageRegistry.MEMORY, Integer.toString(memoryMb))).toList();
    }

    /** {@link #semirtImage()} with {@code extraJvmOptions} after this process's (a later -XX option wins). */
    static ImageRegistry.Image semirtImage(List<String> extraJvmOptions) {
        List<String> cmd = jvm();
        cmd.addAll(CONTAINER_MEMORY_OPTIONS);
        cmd.addAll(extraJvmOptions);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), "runtime", "serve", "--platform", "openwhisk",
                "--bind", "127.0.0.1", "--port", ImageRegistry.PORT));
        // Containers get a cleared environment: the allocator setting is passed explicitly (NativeHeap).
        return new ImageRegistry.Image(cmd, Map.of("__OW_ALLOW_CONCURRENT", "true",
                NativeHeap.MMAP_THRESHOLD, NativeHeap.mmapThreshold(System.getenv())));
    }

    /** The image name of the INSECURE plaintext baseline (registered only by {@code sesemi bench platform}). */
    static final String INSECURE_PLAIN_IMAGE = "sesemi/insecure-plain-baseline";

    /**
     * {@value #INSECURE_PLAIN_IMAGE}: {@code sesemi runtime insecure-plain} with exactly the JVM and options of
     * {@link #semirtImage()}, so that only the security differs. INSECURE; never among the default images.
     */
    static ImageRegistry.Image insecurePlainImage() {
        List<String> cmd = jvm();
        cmd.addAll(CONTAINER_MEMORY_OPTIONS);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), "runtime", "insecure-plain",
                "--bind", "127.0.0.1", "--port", ImageRegistry.PORT));
        return new ImageRegistry.Image(cmd, Map.of("__OW_ALLOW_CONCURRENT", "true",
                NativeHeap.MMAP_THRESHOLD, NativeHeap.mmapThreshold(System.getenv())));
    }

    /** The java launcher and the JVM options a runtime process gets (this process's, filtered). */
    static List<String> jvm() {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            // The options bin/sesemi sets (native access, G1 regions, Unsafe, sesemi.* properties, the AOT cache and its
            // quiet fallback); not agents or debuggers.
            if (arg.startsWith("-XX:AOTCache=") || arg.startsWith("-XX:AOTMode=") || arg.equals("-Xlog:aot=off")
                    || arg.startsWith("--enable-native-access") || arg.startsWith("--sun-misc-unsafe-memory-access") || arg.startsWith("-XX:G1HeapRegionSize")
                    || arg.startsWith("-Dsesemi.") || arg.startsWith("-Djava.io.tmpdir") || arg.startsWith("-Donnxruntime.")) {
                cmd.add(arg);
            }
        }
        return cmd;
    }

    @Command(name = "serve", mixinStandardHelpOptions = true,
            description = {"Serve the OpenWhisk REST API subset (actions, invocations, activations) on loopback; action containers are",
                "local runtime processes. Blackbox image '" + SEMIRT_IMAGE + "' is this build's SeMIRT runtime."})
    static final class Serve implements Callable<Integer> {
        @Spec CommandSpec spec;

        @Option(names = "--port", defaultValue = "3233", description = "API port, 0 for any free one (default ${DEFAULT-VALUE}).")
        int port;

        @Option(names = "--data", description = "Directory for the platform's database (default ~/.sesemi/platform).")
        Path data;

        @Option(names = "--user-memory", defaultValue = "2048", description = "Invoker capacity: MB of action memory (limits.memory) alive at once (default ${DEFAULT-VALUE}).")
        int userMemoryMb;

        @Option(names = "--idle-timeout", defaultValue = "PT10M", description = "Destroy warm containers idle this long, ISO-8601 duration (default ${DEFAULT-VALUE}).")
        Duration idleTimeout;

        @Option(names = "--pause-grace", defaultValue = "PT10S", description = "With --containers: pause a warm container idle this long "
                + "(podman/docker pause) and resume it for its next activation, ISO-8601 duration (default ${DEFAULT-VALUE}, OpenWhisk's).")
        Duration pauseGrace;

        @Option(names = "--max-payload", defaultValue = "1048576", description = "Largest invoke body in bytes (default ${DEFAULT-VALUE}, OpenWhisk's 1 MB).")
        int maxPayload;

        @Option(names = "--max-result", defaultValue = "1048576", description = "Largest action result in bytes; longer ones become application errors (default ${DEFAULT-VALUE}, OpenWhisk's 1 MB).")
        int maxResult;

        @Option(names = "--prewarm", description = "Stem cells IMAGE:MEMORY_MB:COUNT, e.g. " + SEMIRT_IMAGE + ":512:1 (repeatable).")
        List<String> prewarm = new ArrayList<>();

        @Option(names = "--limits", defaultValue = "sesemi", description = "sesemi (default: action memory up to 4096 MB, concurrency up to "
                + "500) or openwhisk (a stock Apache OpenWhisk's: memory 128-512 MB, concurrency 1, 60 invocations per minute and 30 "
                + "concurrent per namespace, 1 MB payload and result, /init and /run each getting the action's timeout, a 503 from a "
                + "container destroying it). Explicit --max-payload/--max-result win.")
        String limits;

        @Option(names = "--containers", description = "Run " + SEMIRT_IMAGE + " in podman or docker containers (the image built by "
                + "deploy/images/build) instead of local processes.")
        String containers;

        @Option(names = "--mount", description = "With --containers: a host directory mounted at the same path in every container "
                + "(repeatable; ~/.sesemi always is, for the default model store and simulated TEE).")
        List<Path> mounts = new ArrayList<>();

        @Override
        public Integer call() throws Exception {
            Path dir = data != null ? data : Path.of(System.getProperty("user.home"), ".sesemi", "platform");
            Files.createDirectories(dir);
            List<InvokerConfig.Prewarm> cells = new ArrayList<>();
            for (String p : prewarm) {
                String[] f = p.split(":");
                try {
                    if (f.length != 3 && f.length != 4) {
                        throw new IllegalArgumentException("expected IMAGE:MEMORY_MB:COUNT");
                    }
                    // an image name may itself contain one ':' (a tag)
                    String image = f.length == 4 ? f[0] + ":" + f[1] : f[0];
                    cells.add(new InvokerConfig.Prewarm(image, Integer.parseInt(f[f.length - 2]), Integer.parseInt(f[f.length - 1])));
                } catch (IllegalArgumentException e) {
                    throw new CliErrors.UserException("--prewarm " + p + ": " + e.getMessage());
                }
            }
            PlatformConfig config;
            InvokerConfig invokerConfig;
            try {
                PlatformConfig.Builder platform = PlatformConfig.builder(dir.resolve("platform.db")).port(port);
                boolean stock = switch (limits) {
                    case "sesemi" -> false;
                    // A stock OpenWhisk deployment's defaults (the Helm chart's whisk.limits) and its invoker's
                    // timeout and 503 handling; payload and result stay at --max-payload/--max-result, whose defaults
                    // are OpenWhisk's 1 MB.
                    case "openwhisk" -> {
                        platform.openWhiskLimits();
                        yield true;
                    }
                    default -> throw new IllegalArgumentException("--limits must be sesemi or openwhisk, not '" + limits + "'");
                };
                config = platform.maxPayloadBytes(maxPayload).build();
                InvokerConfig.Builder invoker = InvokerConfig.builder().userMemoryMb(userMemoryMb).idleTimeout(idleTimeout)
                        .prewarm(cells).maxResultBytes(maxResult).stockOpenWhisk(stock).pauseGrace(pauseGrace);
                if (port != 0) {
                    // Containers learn where the API is (__OW_API_HOST), as in OpenWhisk; unknown in advance for port 0.
                    invoker.apiHost("http://127.0.0.1:" + port);
                }
                invokerConfig = invoker.build();
            } catch (IllegalArgumentException e) {
                throw new CliErrors.UserException(e.getMessage());
            }
            ContainerPool pool;
            String where;
            if (containers != null) {
                // Runtimes started as processes find their defaults under the user's ~/.sesemi; containers get the same.
                Path home = Path.of(System.getProperty("user.home"), ".sesemi");
                List<Path> all = new ArrayList<>(mounts);
                all.add(home);
                EngineLauncher launcher = Containers.launcher(containers, all, Map.of(
                        "SESEMI_TEE_DIR", home.resolve("simulated-tee").toString(), "SESEMI_MODEL_STORE", home.resolve("models").toString()));
                pool = new ContainerPool(invokerConfig, Containers.images(containers), launcher);
                where = launcher.describe();
            } else {
                pool = new ContainerPool(invokerConfig, images(Map.of()));
                where = "local processes";
            }
            PlatformServer server;
            try {
                server = PlatformServer.start(config, pool);
            } catch (RuntimeException e) {
                pool.close();
                throw new CliErrors.UserException("cannot start the platform: " + e.getMessage());
            }
            PrintWriter err = spec.commandLine().getErr();
            err.println("SeSeMI platform (OpenWhisk-compatible REST API) on " + server.apiHost() + "/api/v1");
            err.println("  guest API key: " + PlatformServer.GUEST_API_KEY + "  (OpenWhisk standalone's well-known key: loopback only)");
            err.println("  invoker: " + userMemoryMb + " MB of action memory; images: " + SEMIRT_IMAGE + " in " + where + "; state in " + dir);
            err.flush();
            CountDownLatch stop = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                server.close();
                pool.close();
                stop.countDown();
            }));
            stop.await();
            return 0;
        }
    }
}
