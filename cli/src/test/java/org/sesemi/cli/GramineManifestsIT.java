package org.sesemi.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Gramine-SGX manifest templates of {@code deploy/gramine/}, rendered as {@code deploy/gramine/build} renders them
 * and parsed as TOML, against what the assembled {@code sesemi} command really loads: every jar of its Class-Path and
 * the native libraries ONNX Runtime / SQLite would extract must be trusted files (and, for native libraries, exactly
 * those), so that a missing file is caught here rather than on the SGX machine.
 */
class GramineManifestsIT {
    private static final String JAVA_HOME = "/usr/lib/jvm/java-21-openjdk-amd64";
    private static final Map<String, String> VARS = Map.ofEntries(
            Map.entry("gramine.libos", "/usr/lib/x86_64-linux-gnu/gramine/libsysdb.so"),
            Map.entry("gramine.runtimedir()", "/usr/lib/x86_64-linux-gnu/gramine/runtime/glibc"),
            Map.entry("arch_libdir", "/lib/x86_64-linux-gnu"),
            Map.entry("java_home", JAVA_HOME),
            Map.entry("log_level", "error"),
            Map.entry("enclave_size", "8G"),
            Map.entry("heap_size", "2g"),
            Map.entry("edmm", "false"),
            Map.entry("max_threads", "128"),
            Map.entry("isvprodid", "1"),
            Map.entry("isvsvn", "1"));
    private static final Pattern EXPR = Pattern.compile("\\{\\{\\s*(.+?)\\s*}}");

    private static Path gramineDir() {
        Path d = Path.of(System.getProperty("maven.multiModuleProjectDirectory", ".."), "deploy", "gramine");
        if (!Files.isDirectory(d)) {
            d = Path.of("..", "deploy", "gramine");
        }
        return d;
    }

    /** Substitutes {@code {{ expr }}} like gramine-manifest's Jinja does for plain variables; unknown ones fail. */
    static String render(String template, Map<String, String> vars) {
        Matcher m = EXPR.matcher(template);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String v = vars.get(m.group(1));
            if (v == null) {
                throw new IllegalArgumentException("template uses an unknown expression: " + m.group(1));
            }
            m.appendReplacement(out, Matcher.quoteReplacement(v));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static JsonNode manifest(String app) throws IOException {
        String template = Files.readString(gramineDir().resolve(app + ".manifest.template"));
        return new TomlMapper().readTree(render(template, VARS));
    }

    private static Path sesemiJar() {
        Path jar = Path.of(System.getProperty("sesemi.jar", "target/sesemi.jar"));
        assumeTrue(Files.isRegularFile(jar), "the assembled sesemi.jar is absent (run through failsafe after package)");
        return jar;
    }

    private static List<String> classPath(Path jar) throws IOException {
        try (JarFile j = new JarFile(jar.toFile())) {
            String cp = j.getManifest().getMainAttributes().getValue("Class-Path");
            return cp == null ? List.of() : Arrays.asList(cp.trim().split("\\s+"));
        }
    }

    /** Linux x86-64 shared libraries inside a jar under {@code dir} (the ones its loader would extract). */
    private static Set<String> nativeLibraries(Path jar, String dir) throws IOException {
        Set<String> out = new TreeSet<>();
        try (JarFile j = new JarFile(jar.toFile())) {
            j.stream().map(e -> e.getName()).filter(n -> n.startsWith(dir) && n.endsWith(".so"))
                    .forEach(n -> out.add(n.substring(n.lastIndexOf('/') + 1)));
        }
        return out;
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static boolean trusted(List<String> trustedFiles, String path) {
        return trustedFiles.stream().map(u -> u.substring("file:".length()))
                .anyMatch(t -> t.equals(path) || (t.endsWith("/") && path.startsWith(t)));
    }

    private static Path libJar(Path sesemiJar, List<String> cp, String prefix) {
        return cp.stream().filter(e -> e.startsWith("lib/" + prefix)).findFirst()
                .map(e -> sesemiJar.getParent().resolve(e)).orElseThrow(() -> new AssertionError("no " + prefix + " jar on the class path"));
    }

    private static void commonChecks(JsonNode m, String app) {
        assertThat(m.at("/sgx/remote_attestation").asText()).isEqualTo("dcap");
        assertThat(m.at("/sgx/debug").asBoolean(true)).isFalse();
        assertThat(m.at("/sgx/max_threads").asInt()).isGreaterThanOrEqualTo(64);
        assertThat(m.at("/sgx/enclave_size").asText()).matches("[0-9]+G");
        assertThat(m.at("/sgx/edmm_enable").isBoolean()).isTrue();
        assertThat(m.at("/libos/entrypoint").asText()).isEqualTo(JAVA_HOME + "/bin/java");
        List<String> argv = strings(m.at("/loader/argv"));
        assertThat(argv).containsSubsequence("-jar", "/opt/sesemi/sesemi.jar", app, "serve");
        assertThat(argv).contains("-Djava.io.tmpdir=/tmp");
        assertThat(m.at("/loader/insecure__use_cmdline_argv").isMissingNode()).as("host must not choose the argv").isTrue();

        List<String> trustedFiles = strings(m.at("/sgx/trusted_files"));
        assertThat(trustedFiles).allMatch(u -> u.startsWith("file:"));
        assertThat(trustedFiles).as("rendered paths are clean").noneMatch(u -> u.contains("//"));
        // Every trusted file but the LibOS itself (loaded by Gramine's loader) is visible inside the enclave through
        // a mount of its host location, and /tmp is enclave memory.
        String libos = m.at("/loader/entrypoint/uri").asText();
        assertThat(trustedFiles).contains(libos);
        List<JsonNode> mounts = new ArrayList<>();
        m.at("/fs/mounts").forEach(mounts::add);
        for (String t : trustedFiles) {
            if (t.equals(libos)) {
                continue;
            }
            assertThat(mounts).as("a mount covering " + t)
                    .anySatisfy(mt -> assertThat(t).startsWith(mt.path("uri").asText()));
        }
        assertThat(mounts).anySatisfy(mt -> {
            assertThat(mt.path("path").asText()).isEqualTo("/tmp");
            assertThat(mt.path("type").asText()).isEqualTo("tmpfs");
        });
        assertThat(trusted(trustedFiles, JAVA_HOME + "/lib/server/libjvm.so")).isTrue();
    }

    @Test
    void runtimeManifestTrustsExactlyWhatTheRuntimeLoads() throws Exception {
        JsonNode m = manifest("runtime");
        commonChecks(m, "runtime");
        List<String> trustedFiles = strings(m.at("/sgx/trusted_files"));
        Path jar = sesemiJar();
        List<String> cp = classPath(jar);
        assertThat(cp).isNotEmpty();
        assertThat(trusted(trustedFiles, "/opt/sesemi/sesemi.jar")).isTrue();
        for (String entry : cp) {
            assertThat(entry).startsWith("lib/");
            assertThat(trusted(trustedFiles, "/opt/sesemi/" + entry)).as(entry).isTrue();
        }
        // ONNX Runtime loads its libraries from onnxruntime.native.path: exactly those of its jar must be trusted there.
        assertThat(strings(m.at("/loader/argv"))).contains("-Donnxruntime.native.path=/opt/sesemi/native");
        Set<String> ortLibs = nativeLibraries(libJar(jar, cp, "onnxruntime-"), "ai/onnxruntime/native/linux-x64/");
        assertThat(ortLibs).contains("libonnxruntime.so", "libonnxruntime4j_jni.so");
        Set<String> trustedNative = new TreeSet<>();
        trustedFiles.stream().filter(u -> u.startsWith("file:/opt/sesemi/native/"))
                .forEach(u -> trustedNative.add(u.substring("file:/opt/sesemi/native/".length())));
        assertThat(trustedNative).isEqualTo(ortLibs);
        // The TEE is fixed by the manifest, never by the host.
        assertThat(m.at("/loader/env/SESEMI_TEE").asText()).isEqualTo("gramine-sgx");
        assertThat(strings(m.at("/sgx/allowed_files"))).noneMatch(u -> u.endsWith(".jar") || u.endsWith(".so"));
    }

    @Test
    void keyServiceManifestTrustsItsJarsAndSqliteAndEncryptsTheDatabase() throws Exception {
        JsonNode m = manifest("keyservice");
        commonChecks(m, "keyservice");
        List<String> trustedFiles = strings(m.at("/sgx/trusted_files"));
        Path jar = sesemiJar();
        List<String> cp = classPath(jar);
        for (String entry : cp) {
            assertThat(trusted(trustedFiles, "/opt/sesemi/" + entry)).as(entry).isTrue();
        }
        Set<String> sqlite = nativeLibraries(libJar(jar, cp, "sqlite-jdbc-"), "org/sqlite/native/Linux/x86_64/");
        assertThat(sqlite).containsExactly("libsqlitejdbc.so");
        List<String> argv = strings(m.at("/loader/argv"));
        assertThat(argv).contains("-Dorg.sqlite.lib.path=/opt/sesemi/native", "-Dorg.sqlite.lib.name=libsqlitejdbc.so");
        assertThat(argv).containsSubsequence("--tee", "gramine-sgx");
        Set<String> trustedNative = new TreeSet<>();
        trustedFiles.stream().filter(u -> u.startsWith("file:/opt/sesemi/native/"))
                .forEach(u -> trustedNative.add(u.substring("file:/opt/sesemi/native/".length())));
        assertThat(trustedNative).isEqualTo(sqlite);
        String db = argv.get(argv.indexOf("--db") + 1);
        List<JsonNode> mounts = new ArrayList<>();
        m.at("/fs/mounts").forEach(mounts::add);
        assertThat(mounts).anySatisfy(mt -> {
            assertThat(db).startsWith(mt.path("path").asText() + "/");
            assertThat(mt.path("type").asText()).isEqualTo("encrypted");
            assertThat(mt.path("key_name").asText()).isEqualTo("_sgx_mrenclave");
        });
    }

    @Test
    void aTemplateWithAMissingFileOrAnUnknownVariableIsCaught() throws Exception {
        assertThatThrownBy(() -> render("x = \"{{ nope }}\"", VARS)).hasMessageContaining("unknown expression: nope");
        String template = Files.readString(gramineDir().resolve("runtime.manifest.template"))
                .replace("  \"file:/opt/sesemi/native/libonnxruntime4j_jni.so\",\n", "");
        JsonNode m = new TomlMapper().readTree(render(template, VARS));
        List<String> trustedFiles = strings(m.at("/sgx/trusted_files"));
        assertThat(trusted(trustedFiles, "/opt/sesemi/native/libonnxruntime4j_jni.so")).isFalse();
    }
}
