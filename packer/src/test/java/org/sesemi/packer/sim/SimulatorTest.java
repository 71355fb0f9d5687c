package org.sesemi.packer.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sesemi.models.workload.Arrival;
import org.sesemi.packer.policy.AffinityPolicy;
import org.sesemi.packer.policy.DedicatedPolicy;
import org.sesemi.packer.policy.PaperPolicy;

/** Tiny hand-written workloads whose latencies follow from the default costs: cold 1,600, switch 130, exec 10 ms. */
class SimulatorTest {
    private static final CostModel COST = CostModel.defaults();
    private static final double GB = 384 / 1024.0;

    private static List<Arrival> arrivals(Object... msAndModel) {
        List<Arrival> out = new ArrayList<>();
        for (int i = 0; i < msAndModel.length; i += 2) {
            long ms = ((Number) msAndModel[i]).longValue();
            out.add(new Arrival(ms * 1_000_000L, (String) msAndModel[i + 1], "test"));
        }
        return out;
    }

    private static SimulationResult run(String policy, int pool, CostModel cost, Object... msAndModel) {
        return Simulator.run(arrivals(msAndModel).stream(), policy, pool, cost);
    }

    @Test
    void containerStartsShareTheHostsCores() {
        // Three models arriving together, one function each: with one core the starts share it (1, 2, 3 at once).
        SimulationResult shared = run(DedicatedPolicy.NAME, 3, COST.toBuilder().hostCores(1).build(), 0, "A", 0, "B", 0, "C");
        assertThat(shared.coldStarts()).isEqualTo(3);
        assertThat(shared.latencyMaxMs()).isEqualTo(3 * 1_600 + 140.0);
        assertThat(shared.latencyP50Ms()).isEqualTo(2 * 1_600 + 140.0);
        // With enough cores, or the default (unbounded), every start takes the same time.
        assertThat(run(DedicatedPolicy.NAME, 3, COST.toBuilder().hostCores(3).build(), 0, "A", 0, "B", 0, "C").latencyMaxMs()).isEqualTo(1_740.0);
        assertThat(run(DedicatedPolicy.NAME, 3, COST, 0, "A", 0, "B", 0, "C").latencyMaxMs()).isEqualTo(1_740.0);
    }

    @Test
    void coldStartThenWarmHitThenModelSwitchThenColdAgainAfterTheKeepAlive() {
        long afterKeepAlive = 3_140 + Duration.ofMinutes(10).toMillis() + 1;
        SimulationResult r = run(PaperPolicy.NAME, 1, COST, 0, "A", 2_000, "A", 3_000, "B", afterKeepAlive, "B");
        assertThat(r.requests()).isEqualTo(4);
        assertThat(r.completed()).isEqualTo(4);
        assertThat(r.coldStarts()).isEqualTo(2);
        assertThat(r.modelSwitches()).isEqualTo(1);
        // Latencies 1,740 (cold + load + exec), 10 (warm), 140 (switch + exec), 1,740 (cold again).
        assertThat(r.latencyP50Ms()).isEqualTo(140.0);
        assertThat(r.latencyMaxMs()).isEqualTo(1_740.0);
        assertThat(r.latencyMeanMs()).isCloseTo((1_740 + 10 + 140 + 1_740) / 4.0, within(1e-9));
        assertThat(r.perModel()).containsEntry("A", new SimulationResult.ModelCounts(2, 2, 0, 1, 0))
                .containsEntry("B", new SimulationResult.ModelCounts(2, 2, 0, 1, 1));
        // Alive: from 0 to the keep-alive expiry after B's end at 3,140 ms, then the second cold request's 1,740 ms.
        double alive = (3_140 + 600_000 + 1_740) / 1_000.0;
        assertThat(r.instanceSecondsAlive()).isCloseTo(alive, within(1e-9));
        assertThat(r.gbSecondsAlive()).isCloseTo(alive * GB, within(1e-9));
        assertThat(r.gbSecondsBilled()).isCloseTo((1_740 + 10 + 140 + 1_740) / 1_000.0 * GB, within(1e-9));
        assertThat(r.simulatedSeconds()).isCloseTo((afterKeepAlive + 1_740) / 1_000.0, within(1e-9));
    }

    @Test
    void paperFailsAllBusyWhereAffinityQueues() {
        SimulationResult paper = run(PaperPolicy.NAME, 1, COST, 0, "A", 1, "B");
        assertThat(paper.rejected()).isEqualTo(1);
        assertThat(paper.rejectedByReason()).isEqualTo(Map.of(PaperPolicy.ALL_BUSY, 1L));
        assertThat(paper.completed()).isEqualTo(1);

        SimulationResult affinity = run(AffinityPolicy.NAME, 1, COST, 0, "A", 1, "B");
        assertThat(affinity.rejected()).isZero();
        assertThat(affinity.queued()).isEqualTo(1);
        // B waits for A's end at 1,740 ms, then loads (130) and runs (10): done at 1,880, 1,879 ms after arrival.
        assertThat(affinity.latencyMaxMs()).isEqualTo(1_879.0);
        assertThat(affinity.modelSwitches()).isEqualTo(1);
    }

    @Test
    void aQueuedRequestIsRejectedAtItsDeadline() {
        CostModel cost = COST.toBuilder().queueTimeout(Duration.ofSeconds(1)).build();
        SimulationResult r = run(AffinityPolicy.NAME, 1, cost, 0, "A", 1, "B");
        assertThat(r.rejected()).isEqualTo(1);
        assertThat(r.rejectedByReason()).isEqualTo(Map.of(Simulator.QUEUE_TIMEOUT, 1L));
        assertThat(r.completed()).isEqualTo(1);
    }

    @Test
    void paperOverflowWaitsAtTheInstance() {
        // The second A goes to A's instance (concurrency 1): it runs when the first ends at 1,740 and takes 10 ms.
        SimulationResult r = run(PaperPolicy.NAME, 2, COST, 0, "A", 1, "A");
        assertThat(r.instanceQueued()).isEqualTo(1);
        assertThat(r.coldStarts()).isEqualTo(1);
        assertThat(r.latencyMaxMs()).isEqualTo(1_749.0);
        assertThat(r.instancesUsed()).isEqualTo(1);
    }

    @Test
    void concurrentRequestsOnOneInstanceShareItsColdStartAndModelLoad() {
        SimulationResult r = run(AffinityPolicy.NAME, 1, COST.toBuilder().capacity(4).build(), 0, "A", 100, "A", 200, "A");
        assertThat(r.coldStarts()).isEqualTo(1);
        assertThat(r.modelSwitches()).isZero();
        // All wait for the model to be ready at 1,730 ms and run side by side: latencies 1,740, 1,640, 1,540.
        assertThat(r.latencyMaxMs()).isEqualTo(1_740.0);
        assertThat(r.latencyP50Ms()).isEqualTo(1_640.0);
        assertThat(r.queued()).isZero();
    }

    @Test
    void dedicatedStartsOneContainerPerModel() {
        SimulationResult r = run(DedicatedPolicy.NAME, 1, COST, 0, "A", 0, "B", 0, "C", 5_000, "A");
        assertThat(r.instancesUsed()).isEqualTo(3);
        assertThat(r.coldStarts()).isEqualTo(3);
        assertThat(r.modelSwitches()).isZero();
        assertThat(r.latencyP50Ms()).isEqualTo(1_740.0);
        assertThat(r.latencyMeanMs()).isCloseTo((3 * 1_740 + 10) / 4.0, within(1e-9));
        // Three containers alive until the end at 5,010 ms.
        assertThat(r.instanceSecondsAlive()).isCloseTo(3 * 5.010, within(1e-9));
    }

    @Test
    void perModelCostsAndSeededJitter() {
        CostModel cost = CostModel.builder().coldStart(Duration.ZERO)
                .switchCost(Duration.ofMillis(100), Map.of("big", Duration.ofMillis(500)))
                .execution(Duration.ofMillis(10), Map.of("big", Duration.ofMillis(40))).memoryMb(1_024).build();
        SimulationResult r = run(AffinityPolicy.NAME, 1, cost, 0, "big", 1_000, "small");
        assertThat(r.latencyMaxMs()).isEqualTo(540.0);
        assertThat(r.latencyP50Ms()).isEqualTo(110.0);

        CostModel jittered = cost.toBuilder().jitter(0.5, 42).build();
        SimulationResult j1 = run(AffinityPolicy.NAME, 1, jittered, 0, "big", 1_000, "small");
        SimulationResult j2 = run(AffinityPolicy.NAME, 1, jittered, 0, "big", 1_000, "small");
        assertThat(j1).isEqualTo(j2);
        assertThat(j1.latencyMaxMs()).isBetween(500 + 20.0, 500 + 60.0);
    }

    @Test
    void arrivalsOutOfOrderAreRefused() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> run(PaperPolicy.NAME, 1, COST, 5, "A", 1, "B"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("out of time order");
    }

    @Test
    void theResultSerialisesToJson() throws Exception {
        SimulationResult r = run(PaperPolicy.NAME, 1, COST, 0, "A", 1, "B");
        var mapper = PackingExperiment.mapper();
        JsonNode json = mapper.readTree(mapper.writeValueAsString(r));
        assertThat(json.get("policy").asText()).isEqualTo("paper");
        assertThat(json.get("rejected").asLong()).isEqualTo(1);
        assertThat(json.get("latencyP99Ms").asDouble()).isEqualTo(1_740.0);
        assertThat(json.get("perModel").get("B").get("rejected").asLong()).isEqualTo(1);
        assertThat(mapper.readValue(mapper.writeValueAsString(r), SimulationResult.class)).isEqualTo(r);
    }

    @Test
    void percentilesAreNearestRank() {
        long[] v = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
        assertThat(Simulator.percentile(v, 0.5)).isEqualTo(5);
        assertThat(Simulator.percentile(v, 0.95)).isEqualTo(10);
        assertThat(Simulator.percentile(v, 0.1)).isEqualTo(1);
        assertThat(Simulator.percentile(new long[0], 0.5)).isZero();
    }
}
