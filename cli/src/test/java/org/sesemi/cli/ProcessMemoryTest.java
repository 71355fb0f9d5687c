package org.sesemi.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Reading {@code /proc/<pid>/status}: VmRSS and VmHWM in MiB, a missing field or process is empty, one new pid. */
class ProcessMemoryTest {
    @Test
    void parsesResidentAndPeakInMib() {
        List<String> status = List.of("Name:\tjava", "VmHWM:\t  235520 kB", "VmRSS:\t  204800 kB", "Threads:\t31");
        assertThat(ProcessMemory.parse(status, "VmRSS:").getAsDouble()).isEqualTo(200.0);
        assertThat(ProcessMemory.parse(status, "VmHWM:").getAsDouble()).isEqualTo(230.0);
        assertThat(ProcessMemory.parse(status, "VmSwap:")).isEmpty();
        assertThat(ProcessMemory.parse(List.of("VmRSS:\t12 MB"), "VmRSS:")).isEmpty();
    }

    @Test
    void readsThisProcessAndNothingForAMissingOne() {
        if (!System.getProperty("os.name").startsWith("Linux")) {
            return; // /proc is Linux's
        }
        long self = ProcessHandle.current().pid();
        assertThat(ProcessMemory.rssMb(self).getAsDouble()).isPositive();
        assertThat(ProcessMemory.peakMb(self).getAsDouble()).isGreaterThanOrEqualTo(ProcessMemory.rssMb(self).getAsDouble() * 0.5);
        assertThat(ProcessMemory.rssMb(Long.MAX_VALUE)).isEmpty();
    }

    @Test
    void findsTheOneNewProcess() {
        assertThat(ProcessMemory.newOne(Set.of(1L, 2L), Set.of(1L, 2L, 7L))).contains(7L);
        assertThat(ProcessMemory.newOne(Set.of(1L), Set.of(1L))).isEmpty();
        assertThat(ProcessMemory.newOne(Set.of(), Set.of(3L, 4L))).isEmpty();
    }
}
