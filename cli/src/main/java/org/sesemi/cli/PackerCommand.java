package org.sesemi.cli;

import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.sesemi.client.platform.OpenWhiskClient;
import org.sesemi.models.workload.AzureTrace;
import org.sesemi.models.workload.FunctionMapping;
import org.sesemi.models.workload.TraceLimits;
import org.sesemi.models.workload.TraceWorkload;
import org.sesemi.models.workload.WorkloadGenerator;
import org.sesemi.models.workload.ZipfWorkload;
import org.sesemi.packer.gateway.GatewayConfig;
import org.sesemi.packer.gateway.PackerGateway;
import org.sesemi.packer.policy.Policies;
import org.sesemi.packer.sim.CostModel;
import org.sesemi.packer.sim.PackingExperiment;
import org.sesemi.platform.PlatformServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sesemi packer serve|simulate}: FnPacker's gateway, and the packing policies replayed on workloads. */
@Command(name = "packer", mixinStandardHelpOptions = true, description = "FnPacker: pack many models onto a small pool of functions.",
        subcommands = {PackerCommand.Serve.class, PackerCommand.Simulate.class})
final class PackerCommand {

    @Command(name = "serve", mixinStandardHelpOptions = true,
            description = {"Run the gateway: create the group's functions on an OpenWhisk-compatible platform, then route each request",
                "envelope (POST /v1/invoke) to one of them by its model id."})
    static final class Serve implements Callable<Integer> {
        static final String APIHOST_ENV = "SESEMI_OW_APIHOST";
        static final String API_KEY_ENV = "SESEMI_OW_API_KEY";
        static final String CA_ENV = "SESEMI_OW_CA";
        static final String DEFAULT_APIHOST = "http://127.0.0.1:3233";

        @Spec CommandSpec spec;

        @Option(names = "--port", defaultValue = "7310", description = "Gateway port (default ${DEFAULT-VALUE}, the prototype's).")
        int port;

        @Option(names = "--bind", defaultValue = "127.0.0.1",
                description = "Interface to listen on (default ${DEFAULT-VALUE}; 0.0.0.0 in a container, behind TLS and access control).")
        InetAddress bind;

        @Option(names = "--apihost", description = "Platform API host (default: $" + APIHOST_ENV + ", else " + DEFAULT_APIHOST + ").")
        URI apiHost;

        @Option(names = "--api-key", description = "Platform API key uuid:key (default: $" + API_KEY_ENV
                + ", else the embedded platform's guest key; prefer the variable: arguments are visible to other processes).")
        String apiKey;

        @Option(names = "--apihost-ca", paramLabel = "PEM",
                description = "Trust these certificates (PEM: the API host's self-signed certificate or its CA) for an HTTPS API host (default: $"
                        + CA_ENV + ", else the JDK's trust store).")
        Path apiHostCa;

        @Option(names = "--group", defaultValue = "semirt", description = "Function group name; functions are fp-GROUP-i (default ${DEFAULT-VALUE}).")
        String group;

        @Option(names = "--policy", defaultValue = "affinity", description = "paper, affinity or dedicated (default ${DEFAULT-VALUE}).")
        String policy;

        @Option(names = "--pool-size", defaultValue = "5", description = "Functions in the pool (default ${DEFAULT-VALUE}).")
        int poolSize;

        @Option(names = "--image", defaultValue = PlatformCommand.SEMIRT_IMAGE, description = "Runtime image (default ${DEFAULT-VALUE}).")
        String image;

        @Option(names = "--memory", defaultValue = "1024", description = "Memory per function, MB (default ${DEFAULT-VALUE}).")
        int memoryMb;

        @Option(names = "--concurrency", defaultValue = "8", description = "Concurrent requests per function (default ${DEFAULT-VALUE}).")
        int concurrency;

        @Option(names = "--cache-models", defaultValue = "4", description = "Models one function's cache holds, as the policy assumes (default ${DEFAULT-VALUE}).")
        int cacheModels;

        @Option(names = "--max-envelope", defaultValue = "1048576", description = "Largest request body in bytes (default ${DEFAULT-VALUE}, the platform's default payload limit).")
        int maxEnvelope;

        @Option(names = "--max-models", defaultValue = "1000", description = "Distinct models tracked at once; beyond that the least "
                + "recently used idle one is forgotten (default ${DEFAULT-VALUE}).")
        int maxModels;

        @Option(names = "--auth-token-file", description = "Require Authorization: Bearer <token> on /v1 requests, the token being "
                + "this file's content (trimmed). Default: $SESEMI_GATEWAY_TOKEN if set, else no caller credential.")
        Path authTokenFile;

        @Option(names = "--queue-timeout", defaultValue = "PT10S",
                description = "How long a request may wait for a free function before it is refused (busy/queue_timeout), ISO-8601 (default ${DEFAULT-VALUE}).")
        java.time.Duration queueTimeout;

        @Option(names = "--init", description = "Runtime init parameter KEY=VALUE (repeatable): SESEMI_KS_URL, SESEMI_KS_MEASUREMENT, SESEMI_MODEL_STORE, ...")
        Map<String, String> init = new LinkedHashMap<>();

        private Optional<String> authToken() {
            if (authTokenFile != null) {
                try {
                    return Optional.of(java.nio.file.Files.readString(authTokenFile).strip());
                } catch (java.io.IOException e) {
                    throw new CliErrors.UserException("cannot read --auth-token-file " + authTokenFile + ": " + e.getMessage());
                }
            }
            return Optional.ofNullable(System.getenv("SESEMI_GATEWAY_TOKEN")).map(String::strip).filter(t -> !t.isEmpty());
        }

        @Override
        public Integer call() throws Exception {
            GatewayConfig config;
            try {
                config = GatewayConfig.builder().bind(bind, port).group(group)
                        .function(OpenWhiskClient.BlackboxAction.of(image).withMemoryMb(memoryMb).withConcurrency(concurrency).withInitParameters(init))
                        .policy(policy, CostModel.builder().capacity(concurrency).cacheSlots(cacheModels).queueTimeout(queueTimeout).build()
                                .policyConfig(poolSize)).maxEnvelopeBytes(maxEnvelope).maxModels(maxModels).authToken(authToken()).build();
            } catch (IllegalArgumentException e) {
                throw new CliErrors.UserException(e.getMessage());
            }
            URI host;
            OpenWhiskClient platform;
            try {
                host = apiHost != null ? apiHost : URI.create(envOr(APIHOST_ENV, DEFAULT_APIHOST));
                String key = apiKey != null ? apiKey : envOr(API_KEY_ENV, PlatformServer.GUEST_API_KEY);
                String ca = apiHostCa != null ? apiHostCa.toString() : envOr(CA_ENV, "");
                platform = ca.isEmpty() ? new OpenWhiskClient(host, key, "_")
                        : new OpenWhiskClient(host, key, "_", Duration.ofSeconds(90), OpenWhiskClient.trusting(Path.of(ca)));
            } catch (IllegalArgumentException e) {
                throw new CliErrors.UserException("bad platform address or key: " + e.getMessage());
            }
            PackerGateway gateway = PackerGateway.start(config, platform);
            PrintWriter err = spec.commandLine().getErr();
            err.println("FnPacker gateway on " + gateway.uri() + "/v1/invoke (" + policy + " policy) for " + gateway.functions().size()
                    + " functions fp-" + group + "-* on " + host + (config.authToken().isPresent() ? ", callers need the token" : ""));
            err.flush();
            CountDownLatch stop = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                gateway.close();
                stop.countDown();
            }));
            stop.await();
            return 0;
        }

        private static String envOr(String name, String fallback) {
            String value = System.getenv(name);
            return value == null || value.isBlank() ? fallback : value;
        }
    }

    @Command(name = "simulate", mixinStandardHelpOptions = true,
            description = {"Replay a workload through the paper, affinity and dedicated policies in the calibrated simulator;",
                "writes DIR/" + PackingExperiment.JSON_FILE + " and DIR/" + PackingExperiment.TEXT_FILE + "."})
    static final class Simulate implements Callable<Integer> {
        @Spec CommandSpec spec;

        @Option(names = "--trace", description = "Azure Functions 2019 trace directory (else a Zipf workload).")
        Optional<Path> trace;

        @Option(names = "--top", defaultValue = "200", description = "Trace: keep the N most invoked functions, one model each (default ${DEFAULT-VALUE}).")
        int top;

        @Option(names = "--minutes", defaultValue = "60", description = "Trace: minutes to replay (default ${DEFAULT-VALUE}).")
        int minutes;

        @Option(names = "--compression", defaultValue = "1", description = "Trace: time compression factor (default ${DEFAULT-VALUE}).")
        double compression;

        @Option(names = "--models", defaultValue = "200", description = "Zipf: number of models (default ${DEFAULT-VALUE}).")
        int models;

        @Option(names = "--rate", defaultValue = "20", description = "Zipf: requests per second (default ${DEFAULT-VALUE}).")
        double rate;

        @Option(names = "--seconds", defaultValue = "600", description = "Zipf: length in seconds (default ${DEFAULT-VALUE}).")
        double seconds;

        @Option(names = "--seed", defaultValue = "1", description = "Seed (default ${DEFAULT-VALUE}).")
        long seed;

        @Option(names = "--pool-size", defaultValue = "5", description = "Functions in the pool (default ${DEFAULT-VALUE}).")
        int poolSize;

        @Option(names = "--capacity", defaultValue = "1", description = "Concurrent requests per function (default ${DEFAULT-VALUE}).")
        int capacity;

        @Option(names = "--cache-models", defaultValue = "1", description = "Models one function's cache holds (default ${DEFAULT-VALUE}).")
        int cacheModels;

        @Option(names = "--out", required = true, description = "Directory for the report.")
        Path out;

        @Override
        public Integer call() throws Exception {
            WorkloadGenerator w;
            String description;
            try {
                if (trace.isPresent()) {
                    AzureTrace t = AzureTrace.readDirectory(trace.get(), TraceLimits.defaults()).mostInvoked(top);
                    AzureTrace windowed = t.window(0, Math.min(minutes, t.minutes()));
                    w = new TraceWorkload(windowed, new FunctionMapping.PerFunction("fn-"),
                            new TraceWorkload.Config(seed, compression, TraceWorkload.MinuteArrivals.EXACT_COUNT));
                    description = "Azure Functions 2019 trace " + trace.get().getFileName() + ": top " + top + " functions as models, "
                            + windowed.minutes() + " min, compression " + compression;
                } else {
                    List<String> names = new ArrayList<>();
                    for (int i = 0; i < models; i++) {
                        names.add(String.format("model-%05d", i));
                    }
                    w = new ZipfWorkload(names, 1.0, rate, Duration.ofNanos((long) (seconds * 1e9)), seed);
                    description = "Zipf(1.0) over " + models + " models, " + rate + " requests/s, " + seconds + " s, seed " + seed;
                }
            } catch (IllegalArgumentException e) {
                throw new CliErrors.UserException(e.getMessage());
            }
            CostModel cost = CostModel.builder().capacity(capacity).cacheSlots(cacheModels).build();
            WorkloadGenerator workload = w;
            PackingExperiment.Report report = PackingExperiment.run(description, workload::arrivals, poolSize, cost, out);
            PrintWriter o = spec.commandLine().getOut();
            o.print(PackingExperiment.table(report));
            o.println("policies: " + Policies.NAMES + "; wrote " + out.resolve(PackingExperiment.JSON_FILE));
            o.flush();
            return 0;
        }
    }
}
