package org.sesemi.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.sesemi.client.inference.InferenceClient;
import org.sesemi.protocol.oip.InferenceRequest;
import org.sesemi.client.inference.RuntimeRejectedException;
import org.sesemi.client.platform.OpenWhiskClient;
import org.sesemi.crypto.ModelId;
import org.sesemi.models.workload.Arrival;
import org.sesemi.models.workload.ZipfWorkload;
import org.sesemi.packer.gateway.GatewayConfig;
import org.sesemi.packer.gateway.PackerGateway;
import org.sesemi.packer.policy.Policies;
import org.sesemi.packer.sim.CostModel;
import org.sesemi.packer.sim.SimulationResult;
import org.sesemi.packer.sim.Simulator;
import org.sesemi.runtime.core.RuntimeSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sesemi bench packer}: the packing policies on the real system. One Zipf workload over several encrypted models
 * (MiniLM published under different ids and keys) is replayed open-loop, in real time, through the FnPacker gateway to
 * a pool of functions on the embedded platform — once per policy, each with fresh functions — and the same arrivals
 * through the simulator with the calibrated cost model, so measured and predicted counts and latencies sit side by side.
 */
@Command(name = "packer", mixinStandardHelpOptions = true,
        description = "Replay a Zipf workload through the FnPacker gateway on the embedded platform for each policy, next to the simulator's prediction; writes DIR/packer.json.")
final class BenchPacker implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--models", defaultValue = "6", description = "Encrypted models (default ${DEFAULT-VALUE}).")
    int models;

    @Option(names = "--rate", defaultValue = "4", description = "Requests per second (default ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--seconds", defaultValue = "30", description = "Workload length (default ${DEFAULT-VALUE}).")
    double seconds;

    @Option(names = "--pool-size", defaultValue = "2", description = "Functions in the pool (default ${DEFAULT-VALUE}).")
    int poolSize;

    @Option(names = "--capacity", defaultValue = "4", description = "Concurrent requests per function (default ${DEFAULT-VALUE}).")
    int capacity;

    @Option(names = "--cache-models", defaultValue = "2", description = "Models one runtime may cache: its budget is set to hold this many (default ${DEFAULT-VALUE}).")
    int cacheModels;

    @Option(names = "--policies", split = ",", defaultValue = "paper,affinity,dedicated", description = "Policies (default ${DEFAULT-VALUE}).")
    List<String> policies;

    @Option(names = "--seed", defaultValue = "1", description = "Workload seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--out", required = true, description = "Directory for packer.json.")
    Path out;

    @Override
    public Integer call() throws Exception {
        BenchCommand.longServerDeadlines();
        for (String p : policies) {
            if (!Policies.NAMES.contains(p)) {
                throw new CliErrors.UserException("unknown policy " + p + "; expected " + Policies.NAMES);
            }
        }
        if (models < 1 || poolSize < 1 || capacity < 1 || cacheModels < 1 || !(rate > 0) || !(seconds > 0)) {
            throw new CliErrors.UserException("--models, --pool-size, --capacity, --cache-models, --rate and --seconds must be positive");
        }
        PrintWriter w = spec.commandLine().getOut();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < models; i++) {
            names.add("m" + i);
        }
        ZipfWorkload workload = new ZipfWorkload(names, 1.0, rate, Duration.ofNanos((long) (seconds * 1e9)), seed);
        List<Arrival> arrivals = workload.arrivals().toList();
        // MiniLM is charged 2 × 23 MB in the runtime's model cache: a budget of 50 MB per model holds cacheModels models.
        String budget = (50 * cacheModels) + "m";
        CostModel cost = CostModel.builder().capacity(capacity).cacheSlots(cacheModels).build();
        int memoryMb = 512;
        ObjectMapper m = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode report = m.createObjectNode();
        report.put("workload", "Zipf(1.0) over " + models + " models, " + rate + " requests/s, " + seconds + " s, seed " + seed + ": "
                + arrivals.size() + " requests, replayed open-loop in real time");
        report.put("pool_size", poolSize).put("capacity", capacity).put("cache_models", cacheModels).put("memory_mb", memoryMb);
        report.put("tee", "simulated");
        report.put("host_cores", Runtime.getRuntime().availableProcessors());
        ArrayNode rows = report.putArray("results");
        w.printf("%-10s %-9s %9s %8s %8s %8s %10s %11s %11s%n", "policy", "source", "completed", "rejected", "p50 ms", "p99 ms", "cold starts",
                "model loads", "GB-s billed");
        try (LocalStack stack = LocalStack.start("sesemi-bench-packer-", Math.max(2048, memoryMb * Math.max(poolSize, models)), false)) {
            Map<String, ModelId> ids = new HashMap<>();
            for (String n : names) {
                ids.put(n, stack.publish("bench-" + n));
            }
            InferenceRequest req = stack.sentence("Your card was charged for a purchase you did not make");
            for (String policy : policies) {
                spec.commandLine().getErr().printf("policy %s (%d/%d): %d requests over %s s in real time%n", policy,
                        policies.indexOf(policy) + 1, policies.size(), arrivals.size(), seconds);
                spec.commandLine().getErr().flush();
                ObjectNode measured = measure(stack, policy, poolSize, arrivals, ids, req, memoryMb, budget, cost);
                // The embedded platform starts its containers on this machine: they share its cores.
                SimulationResult sim = Simulator.run(arrivals.stream(), policy, poolSize,
                        cost.toBuilder().memoryMb(memoryMb).hostCores(Runtime.getRuntime().availableProcessors()).build());
                ObjectNode predicted = m.createObjectNode().put("completed", sim.completed()).put("rejected", sim.rejected())
                        .put("p50_ms", BenchCommand.round(sim.latencyP50Ms())).put("p99_ms", BenchCommand.round(sim.latencyP99Ms())).put("cold_starts", sim.coldStarts())
                        .put("model_loads", sim.modelSwitches() + sim.coldStarts()).put("gb_s_billed", BenchCommand.round(sim.gbSecondsBilled()));
                ObjectNode row = rows.addObject().put("policy", policy);
                row.set("measured", measured);
                row.set("simulated", predicted);
                for (var e : List.of(Map.entry("measured", measured), Map.entry("simulated", predicted))) {
                    JsonNode r = e.getValue();
                    w.printf("%-10s %-9s %9d %8d %8.1f %8.1f %10d %11d %11.2f%n", policy, e.getKey(), r.path("completed").asLong(),
                            r.path("rejected").asLong(), r.path("p50_ms").asDouble(), r.path("p99_ms").asDouble(), r.path("cold_starts").asLong(),
                            r.path("model_loads").asLong(), r.path("gb_s_billed").asDouble());
                }
                w.flush();
            }
        }
        w.println("model loads: measured = requests the runtime marked cold (key release and model load in that runtime);"
                + " simulated = model switches + cold starts");
        BenchCommand.writeResult(w, m, report, out, "packer.json", BenchCharts::packer);
        return 0;
    }

    /** Replays the arrivals through a fresh gateway group for {@code policy} and measures what happened. */
    private static ObjectNode measure(LocalStack stack, String policy, int poolSize, List<Arrival> arrivals, Map<String, ModelId> ids,
            InferenceRequest req, int memoryMb, String budget, CostModel cost) throws Exception {
        String group = "bench-" + policy;
        GatewayConfig config = GatewayConfig.builder().group(group)
                .function(OpenWhiskClient.BlackboxAction.of(PlatformCommand.SEMIRT_IMAGE).withMemoryMb(memoryMb).withConcurrency(cost.capacity())
                        .withTimeoutMs(120_000)
                        .withInitParameters(stack.initParameters(Map.of(RuntimeSettings.TIMING, "true", RuntimeSettings.MODEL_BUDGET, budget))))
                .policy(policy, cost.policyConfig(poolSize)).build();
        double[] latency = new double[arrivals.size()];
        boolean[] ok = new boolean[arrivals.size()];
        boolean[] cold = new boolean[arrivals.size()];
        try (PackerGateway gateway = PackerGateway.start(config, stack.platformClient);
                ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            URI invoke = gateway.uri().resolve("/v1/invoke");
            Map<ModelId, InferenceClient> clients = new HashMap<>();
            for (ModelId id : ids.values()) {
                clients.put(id, new InferenceClient(invoke, InferenceClient.Protocol.ENVELOPE, stack.user.id(), id, stack.requestKey));
            }
            List<Future<?>> pending = new ArrayList<>();
            long start = System.nanoTime();
            for (int i = 0; i < arrivals.size(); i++) {
                Arrival a = arrivals.get(i);
                long wait = start + a.atNanos() - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
                int k = i;
                InferenceClient c = clients.get(ids.get(a.model()));
                pending.add(pool.submit(() -> {
                    long t0 = System.nanoTime();
                    try {
                        InferenceClient.Result r = c.infer(req, true);
                        ok[k] = true;
                        cold[k] = r.timing().map(t -> t.getOrDefault("cold", 0.0) > 0).orElse(false);
                    } catch (RuntimeRejectedException e) {
                        ok[k] = false;
                    }
                    latency[k] = (System.nanoTime() - t0) / 1e6;
                    return null;
                }));
            }
            for (Future<?> f : pending) {
                f.get();
            }
            int coldStarts = 0;
            double gbs = 0;
            for (String fn : gateway.functions()) {
                for (JsonNode act : stack.platformClient.listActivations(fn, 0, 200, OptionalLong.empty(), OptionalLong.empty(), true)) {
                    coldStarts += OpenWhiskClient.annotation(act, "initTime").isPresent() ? 1 : 0;
                    gbs += memoryMb / 1024.0 * act.path("duration").asDouble() / 1000;
                }
            }
            List<Double> done = new ArrayList<>();
            int completed = 0, loads = 0;
            for (int i = 0; i < latency.length; i++) {
                if (ok[i]) {
                    completed++;
                    done.add(latency[i]);
                    loads += cold[i] ? 1 : 0;
                }
            }
            double[] d = done.stream().mapToDouble(Double::doubleValue).toArray();
            return new ObjectMapper().createObjectNode().put("completed", completed).put("rejected", latency.length - completed)
                    .put("p50_ms", BenchCommand.round(d.length == 0 ? 0 : BenchOverhead.percentile(d, 0.5)))
                    .put("p99_ms", BenchCommand.round(d.length == 0 ? 0 : BenchOverhead.percentile(d, 0.99))).put("cold_starts", coldStarts)
                    .put("model_loads", loads).put("gb_s_billed", BenchCommand.round(gbs)).put("functions", gateway.functions().size());
        }
    }
}
