package org.sesemi.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every way a runtime JVM is started gives it glibc's fixed mmap threshold (what makes memory return after a large
 * request, RuntimeMemoryAdversarialIT): bin/sesemi, the images' entry point, the embedded platform's runtime image;
 * an operator's own value is kept.
 */
class NativeHeapTest {
    static final Path ROOT = Path.of("..");

    @TempDir Path dir;

    @Test
    void operatorsValueWinsOverTheDefault() {
        assertThat(NativeHeap.mmapThreshold(Map.of())).isEqualTo("1048576");
        assertThat(NativeHeap.mmapThreshold(Map.of(NativeHeap.MMAP_THRESHOLD, "131072"))).isEqualTo("131072");
        assertThat(NativeHeap.mmapThreshold(Map.of(NativeHeap.MMAP_THRESHOLD, " "))).isEqualTo("1048576");
    }

    @Test
    void aRuntimeWithoutTheSettingOnLinuxSaysSo() {
        assertThat(NativeHeap.missingSettingNote(Map.of(), "Linux")).get().asString().contains("MALLOC_MMAP_THRESHOLD_ is not set");
        assertThat(NativeHeap.missingSettingNote(Map.of(NativeHeap.MMAP_THRESHOLD, "1048576"), "Linux")).isEmpty();
        assertThat(NativeHeap.missingSettingNote(Map.of(), "Mac OS X")).isEmpty();
    }

    @Test
    void theEmbeddedPlatformsRuntimeImageCarriesTheSetting() {
        // Its containers start with a cleared environment, so the image must carry the variable itself.
        assertThat(PlatformCommand.semirtImage().envFor(8080)).containsEntry(NativeHeap.MMAP_THRESHOLD,
                NativeHeap.mmapThreshold(System.getenv()));
    }

    @Test
    void theImagesEntryPointExportsItUnlessSet() throws Exception {
        Path entry = ROOT.resolve("deploy/images/app/sesemi");
        assumeTrue(Files.isRegularFile(entry) && Files.isExecutable(Path.of("/bin/sh")), "needs the image entry point and /bin/sh");
        // A stand-in java that prints what the entry point gave it.
        Path bin = Files.createDirectories(dir.resolve("jdk/bin"));
        Path java = Files.writeString(bin.resolve("java"), "#!/bin/sh\necho \"threshold=${MALLOC_MMAP_THRESHOLD_:-unset}\"\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwx------"));
        assertThat(runEntryPoint(entry, Map.of())).contains("threshold=1048576");
        assertThat(runEntryPoint(entry, Map.of(NativeHeap.MMAP_THRESHOLD, "262144"))).contains("threshold=262144");
    }

    @Test
    void binSesemiExportsItUnlessSet() throws Exception {
        Path script = ROOT.resolve("bin/sesemi");
        assumeTrue(Files.isRegularFile(script), "needs bin/sesemi of the source tree");
        String text = Files.readString(script);
        assertThat(text).contains("export MALLOC_MMAP_THRESHOLD_=${MALLOC_MMAP_THRESHOLD_:-" + NativeHeap.DEFAULT_MMAP_THRESHOLD + "}");
        assertThat(text.indexOf("export MALLOC_MMAP_THRESHOLD_")).isLessThan(text.indexOf("exec \"$JAVA_HOME/bin/java\""));
    }

    private String runEntryPoint(Path entry, Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("/bin/sh", entry.toString(), "runtime", "serve").redirectErrorStream(true);
        pb.environment().remove(NativeHeap.MMAP_THRESHOLD);
        pb.environment().put("JAVA_HOME", dir.resolve("jdk").toString());
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return out;
    }
}
