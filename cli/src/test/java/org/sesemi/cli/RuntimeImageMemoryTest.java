package org.sesemi.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The embedded platform's runtime processes get the JVM memory settings the runtime image's JVM has in an OpenWhisk
 * container of the function's memory (issue 13: a 256 MB function's runtime must fit 256 MB), and the INSECURE
 * baseline gets the same, so that only the security differs.
 */
class RuntimeImageMemoryTest {
    @Test
    void theRuntimeProcessIsSizedByTheFunctionsMemory() {
        List<String> argv = PlatformCommand.semirtImage().commandFor(8080, 256);
        List<String> jvmOptions = argv.subList(0, argv.indexOf("-cp"));
        assertThat(jvmOptions).contains("-XX:MaxRAM=256m", "-XX:MaxRAMPercentage=50", "-XX:+UseSerialGC");
        assertThat(PlatformCommand.semirtImage().commandFor(8080, 1024)).contains("-XX:MaxRAM=1024m");
    }

    @Test
    void aVariantsOptionsComeAfterAndWin() {
        List<String> argv = PlatformCommand.semirtImage(List.of("-XX:MaxRAMPercentage=25")).commandFor(8080, 256);
        assertThat(argv.lastIndexOf("-XX:MaxRAMPercentage=25")).isGreaterThan(argv.indexOf("-XX:MaxRAMPercentage=50"));
    }

    @Test
    void theInsecureBaselineHasTheSameMemorySettings() {
        List<String> argv = PlatformCommand.insecurePlainImage().commandFor(8080, 256);
        assertThat(argv.subList(0, argv.indexOf("-cp"))).containsAll(PlatformCommand.containerMemoryOptions(256));
    }
}
