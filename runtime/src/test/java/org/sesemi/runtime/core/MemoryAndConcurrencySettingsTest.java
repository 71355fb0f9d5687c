package org.sesemi.runtime.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The model budget follows the memory the runtime was given; admission covers the action's declared concurrency. */
class MemoryAndConcurrencySettingsTest {
    @TempDir
    Path cgroup;

    @Test
    void theBudgetFollowsTheActionsMemoryThenTheCgroupThenTheDefault() throws Exception {
        assertThat(RuntimeSettings.coreConfig(Map.of(), cgroup).modelBudgetBytes()).isEqualTo(512L << 20);
        assertThat(RuntimeSettings.coreConfig(Map.of(RuntimeSettings.ACTION_MEMORY, "512"), cgroup).modelBudgetBytes())
                .isEqualTo(320L << 20);
        assertThat(RuntimeSettings.coreConfig(Map.of(RuntimeSettings.ACTION_MEMORY, "4096"), cgroup).modelBudgetBytes())
                .isEqualTo((4096L - 192) << 20);
        // a small container keeps a quarter for models rather than nothing
        assertThat(RuntimeSettings.coreConfig(Map.of(RuntimeSettings.ACTION_MEMORY, "128"), cgroup).modelBudgetBytes()).isEqualTo(32L << 20);

        Files.writeString(cgroup.resolve("memory.max"), "268435456\n"); // cgroup v2, 256 MiB
        assertThat(RuntimeSettings.coreConfig(Map.of(), cgroup).modelBudgetBytes()).isEqualTo(64L << 20);
        assertThat(RuntimeSettings.coreConfig(Map.of(RuntimeSettings.ACTION_MEMORY, "1024"), cgroup).modelBudgetBytes())
                .isEqualTo(832L << 20);
        assertThat(RuntimeSettings.coreConfig(Map.of(RuntimeSettings.MODEL_BUDGET, "100m", RuntimeSettings.ACTION_MEMORY, "1024"), cgroup)
                .modelBudgetBytes()).isEqualTo(100L << 20);
        Files.writeString(cgroup.resolve("memory.max"), "max\n");
        assertThat(RuntimeSettings.coreConfig(Map.of(), cgroup).modelBudgetBytes()).isEqualTo(512L << 20);
    }

    @Test
    void cgroupV1LimitsCountAndItsUnlimitedValueDoesNot() throws Exception {
        Files.createDirectories(cgroup.resolve("memory"));
        Files.writeString(cgroup.resolve("memory/memory.limit_in_bytes"), "536870912\n");
        assertThat(RuntimeSettings.coreConfig(Map.of(), cgroup).modelBudgetBytes()).isEqualTo(320L << 20);
        Files.writeString(cgroup.resolve("memory/memory.limit_in_bytes"), "9223372036854771712\n");
        assertThat(RuntimeSettings.coreConfig(Map.of(), cgroup).modelBudgetBytes()).isEqualTo(512L << 20);
    }

    @Test
    void badActionMemoryIsRefusedByName() {
        assertThatThrownBy(() -> RuntimeSettings.coreConfig(Map.of(RuntimeSettings.ACTION_MEMORY, "lots"), cgroup))
                .hasMessageContaining(RuntimeSettings.ACTION_MEMORY);
        assertThatThrownBy(() -> RuntimeSettings.coreConfig(Map.of(RuntimeSettings.ACTION_CONCURRENCY, "0"), cgroup))
                .hasMessageContaining(RuntimeSettings.ACTION_CONCURRENCY);
    }

    @Test
    void admissionCoversTheDeclaredConcurrency() {
        Map<String, String> tight = Map.of(RuntimeSettings.MAX_CONCURRENT, "2", RuntimeSettings.MAX_QUEUE, "0");
        CoreConfig plain = RuntimeSettings.coreConfig(tight, cgroup);
        assertThat(plain.maxConcurrent() + plain.maxQueue()).isEqualTo(2); // a third request would be busy (503)
        assertThat(plain.maxWait()).isEqualTo(Duration.ofSeconds(30));

        Map<String, String> declared = new java.util.HashMap<>(tight);
        declared.put(RuntimeSettings.ACTION_CONCURRENCY, "100");
        CoreConfig c = RuntimeSettings.coreConfig(declared, cgroup);
        assertThat(c.maxConcurrent()).isEqualTo(2);
        assertThat(c.maxConcurrent() + c.maxQueue()).isEqualTo(100);
        // waiting for a slot or model budget outlasts any OpenWhisk action timeout: the invoker's timeout comes first
        assertThat(c.maxWait()).isEqualTo(Duration.ofMinutes(5));
        // a generous queue is not shrunk
        assertThat(RuntimeSettings.coreConfig(Map.of(RuntimeSettings.ACTION_CONCURRENCY, "1"), cgroup).maxQueue())
                .isEqualTo(CoreConfig.defaults().maxQueue());
    }
}
