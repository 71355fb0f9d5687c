package org.sesemi.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.sesemi.runtime.core.EnclaveRuntime;
import org.sesemi.runtime.core.RuntimeSettings;
import org.sesemi.runtime.host.HostConfig;
import org.sesemi.runtime.host.RuntimeServer;
import org.sesemi.runtime.insecure.InsecurePlainFunction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sesemi runtime serve}: the SeMIRT runtime as an OpenWhisk action container or a Knative service. */
@Command(name = "runtime", mixinStandardHelpOptions = true, description = "The SeMIRT enclave runtime.",
        subcommands = {RuntimeCommand.Serve.class, RuntimeCommand.InsecurePlain.class, AotTraining.class})
final class RuntimeCommand {

    @Command(name = "serve", mixinStandardHelpOptions = true,
            description = {"Serve encrypted inference over the OpenWhisk action protocol (POST /init, /run) or Knative (POST /).",
                "Flags override environment settings (SESEMI_*, see docs/runtime.md); with OpenWhisk, /init parameters override both."})
    static final class Serve implements Callable<Integer> {
        @Spec CommandSpec spec;

        @Option(names = "--port", description = "TCP port (default: $PORT, else 8080).")
        Integer port;

        @Option(names = "--bind", defaultValue = "0.0.0.0", description = "Interface to listen on (default ${DEFAULT-VALUE}).")
        String bind;

        @Option(names = "--platform", description = "openwhisk or knative (default: knative if __OW_RUNTIME_PLATFORM=knative, else openwhisk).")
        String platform;

        @Option(names = "--tee", description = "simulated (default; NO hardware protection), gramine-sgx or tdx.")
        String tee;

        @Option(names = "--tee-dir", description = "Simulated TEE state directory (default ~/.sesemi/simulated-tee).")
        Path teeDir;

        @Option(names = "--ks-url", description = "KeyService address, https://HOST:PORT.")
        String ksUrl;

        @Option(names = "--ks-measurement", description = "Expected KeyService measurement(s), comma-separated.")
        String ksMeasurement;

        @Option(names = "--model-store", description = "Directory, or s3://bucket/prefix (with SESEMI_S3_ENDPOINT, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY).")
        String modelStore;

        @Option(names = "--budget", description = "Enclave memory budget for decrypted models, e.g. 512m (default 512m).")
        String budget;

        @Option(names = "--max-concurrent", description = "Requests processed at once (default: CPU count).")
        Integer maxConcurrent;

        @Option(names = "--max-queue", description = "Requests that may wait for a slot before 'busy' (default 64).")
        Integer maxQueue;

        @Option(names = "--intra-op-threads", description = "ONNX Runtime intra-op threads per inference (default 1).")
        Integer intraOpThreads;

        @Option(names = "--timing", description = "Add non-secret timing metadata to responses.")
        boolean timing;

        @Option(names = "--naive", description = "Evaluation baseline: no caches (every request fetches keys, decrypts and loads the model).")
        boolean naive;

        @Option(names = "--collateral", paramLabel = "SOURCE", description = {
            "Collateral for the KeyService's quote (env SESEMI_COLLATERAL): intel, pccs:URL, dir:PATH,",
            "simulated[:STATUS[:ADVISORIES]] or none (warning). Default: simulated in the simulated TEE, else intel;",
            "every source but none is required: no current collateral = the KeyService is not trusted (fail closed)."})
        String collateral;

        @Option(names = "--accept-tcb", paramLabel = "STATUSES", description = {
            "TCB statuses accepted for the KeyService's platform, comma-separated (env SESEMI_ACCEPT_TCB;",
            "default UpToDate,SWHardeningNeeded,ConfigurationNeeded,ConfigurationAndSWHardeningNeeded)."})
        String acceptTcb;

        @Override
        public Integer call() throws Exception {
            Map<String, String> settings = new HashMap<>(System.getenv());
            put(settings, RuntimeSettings.TEE, tee);
            put(settings, RuntimeSettings.TEE_DIR, teeDir == null ? null : teeDir.toString());
            put(settings, RuntimeSettings.KS_URL, ksUrl);
            put(settings, RuntimeSettings.KS_MEASUREMENT, ksMeasurement);
            put(settings, RuntimeSettings.MODEL_STORE, modelStore);
            put(settings, RuntimeSettings.MODEL_BUDGET, budget);
            put(settings, RuntimeSettings.MAX_CONCURRENT, maxConcurrent == null ? null : maxConcurrent.toString());
            put(settings, RuntimeSettings.MAX_QUEUE, maxQueue == null ? null : maxQueue.toString());
            put(settings, RuntimeSettings.INTRA_OP_THREADS, intraOpThreads == null ? null : intraOpThreads.toString());
            put(settings, RuntimeSettings.COLLATERAL, collateral);
            put(settings, RuntimeSettings.ACCEPT_TCB, acceptTcb);
            if (timing) {
                settings.put(RuntimeSettings.TIMING, "true");
            }
            if (naive) {
                settings.put(RuntimeSettings.NAIVE, "true");
            }
            if (platform != null) {
                if (!platform.equals("openwhisk") && !platform.equals("knative")) {
                    throw new CliErrors.UserException("--platform must be openwhisk or knative");
                }
                settings.put("__OW_RUNTIME_PLATFORM", platform);
            }
            if (port != null) {
                settings.put("PORT", port.toString());
            }
            HostConfig host;
            try {
                RuntimeSettings.coreConfig(settings); // validate numbers before listening
                RuntimeSettings.peerVerification(settings); // and the collateral setting
                host = HostConfig.fromEnvironment(settings).bind(bind).build();
            } catch (IllegalArgumentException e) {
                throw new CliErrors.UserException(e.getMessage());
            }
            PrintWriter err = spec.commandLine().getErr();
            String teeKind = settings.getOrDefault(RuntimeSettings.TEE, "simulated");
            RuntimeServer server;
            try {
                server = RuntimeServer.start(host, EnclaveRuntime::fromSettings, settings, System.out, System.err);
            } catch (IllegalArgumentException | org.sesemi.runtime.core.RuntimeInitException e) {
                throw new CliErrors.UserException(e.getMessage());
            }
            err.println("SeMIRT runtime listening on " + bind + ":" + server.port() + " (" + host.platform().name().toLowerCase()
                    + " protocol), TEE " + teeKind + ("simulated".equals(teeKind) ? " -- SIMULATED: no hardware protection" : ""));
            NativeHeap.missingSettingNote(System.getenv(), System.getProperty("os.name")).ifPresent(err::println);
            if (host.platform() == HostConfig.Platform.OPENWHISK) {
                err.println("waiting for POST /init (configuration from the environment, flags and init parameters)");
            }
            err.flush();
            CountDownLatch stop = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                server.close();
                stop.countDown();
            }));
            stop.await();
            return 0;
        }

        private static void put(Map<String, String> m, String k, String v) {
            if (v != null) {
                m.put(k, v);
            }
        }
    }

    /**
     * {@code sesemi runtime insecure-plain}: the INSECURE plaintext baseline ({@link InsecurePlainFunction}) that
     * {@code sesemi bench platform} compares the secure runtime's cold start with. Never a default.
     */
    @Command(name = "insecure-plain", mixinStandardHelpOptions = true,
            description = {"INSECURE benchmark baseline: the runtime's job (model from the store, ONNX Runtime, inference) with NO TEE,",
                "NO KeyService and NO encryption, over the OpenWhisk action protocol. For 'sesemi bench platform' only."})
    static final class InsecurePlain implements Callable<Integer> {
        @Option(names = "--port", required = true, description = "TCP port.")
        int port;

        @Option(names = "--bind", defaultValue = "127.0.0.1", description = "Interface to listen on (default ${DEFAULT-VALUE}).")
        String bind;

        @Override
        public Integer call() throws Exception {
            InsecurePlainFunction f = InsecurePlainFunction.start(new java.net.InetSocketAddress(bind, port), System.out, System.err);
            CountDownLatch stop = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                f.close();
                stop.countDown();
            }));
            stop.await();
            return 0;
        }
    }
}
