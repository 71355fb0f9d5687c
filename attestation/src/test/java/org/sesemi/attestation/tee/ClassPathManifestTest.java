package org.sesemi.attestation.tee;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The build's class-path manifest is a cache of {@link ClassPathDigest}: it never changes what the digest is. */
class ClassPathManifestTest {
    @TempDir
    Path dir;
    private Path app;
    private Path libA;
    private Path libB;

    @BeforeEach
    void build() throws IOException {
        Files.createDirectories(dir.resolve("lib"));
        libA = dir.resolve("lib/a.jar");
        libB = dir.resolve("lib/b.jar");
        jar(libA, null, "a.class", "aaaa");
        jar(libB, null, "b.class", "bbbb");
        app = dir.resolve("app.jar");
        jar(app, "lib/a.jar lib/b.jar", "Main.class", "main");
    }

    @Test
    void aManifestGivesTheSameDigestAsHashingEveryFile() throws IOException {
        byte[] hashed = ClassPathDigest.computeWithoutManifest(app.toString());
        Path m = ClassPathManifest.write(app);
        assertThat(m).isEqualTo(dir.resolve("app.jar" + ClassPathManifest.SUFFIX));
        assertThat(Files.readAllLines(m)).hasSize(4).anySatisfy(l -> assertThat(l).startsWith("lib/b.jar\t"));
        assertThat(ClassPathDigest.compute(app.toString())).isEqualTo(hashed);
    }

    @Test
    void aJarChangedAfterTheBuildIsHashedAgainSoTheMeasurementChanges() throws IOException {
        ClassPathManifest.write(app);
        byte[] before = ClassPathDigest.compute(app.toString());
        jar(libB, null, "b.class", "BBBB-patched");
        Files.setLastModifiedTime(libB, FileTime.fromMillis(Files.getLastModifiedTime(libB).toMillis() + 5_000));
        byte[] after = ClassPathDigest.compute(app.toString());
        assertThat(after).isNotEqualTo(before).isEqualTo(ClassPathDigest.computeWithoutManifest(app.toString()));
    }

    @Test
    void recordedHashesAreUsedWhileSizeAndModificationTimeAreUnchanged() throws IOException {
        // Shows the manifest is read (and its documented limit): same size, same mtime, other bytes -> the recorded hash.
        ClassPathManifest.write(app);
        byte[] before = ClassPathDigest.compute(app.toString());
        FileTime mtime = Files.getLastModifiedTime(libA);
        byte[] bytes = Files.readAllBytes(libA);
        bytes[10] ^= 1; // the first local header's modification time: still a readable jar
        Files.write(libA, bytes);
        Files.setLastModifiedTime(libA, mtime);
        assertThat(ClassPathDigest.compute(app.toString())).isEqualTo(before);
        assertThat(ClassPathDigest.computeWithoutManifest(app.toString())).isNotEqualTo(before);
    }

    @Test
    void aManifestOfAnotherClassPathIsIgnored() throws IOException {
        ClassPathManifest.write(app);
        jar(app, "lib/b.jar lib/a.jar", "Main.class", "main"); // same jars, other order
        assertThat(ClassPathDigest.compute(app.toString())).isEqualTo(ClassPathDigest.computeWithoutManifest(app.toString()));
        String extra = app + java.io.File.pathSeparator + dir.resolve("lib");
        assertThat(ClassPathDigest.compute(extra)).isEqualTo(ClassPathDigest.computeWithoutManifest(extra));
    }

    @Test
    void aMalformedManifestIsIgnored() throws IOException {
        byte[] hashed = ClassPathDigest.computeWithoutManifest(app.toString());
        Path m = ClassPathManifest.write(app);
        Files.writeString(m, Files.readString(m).replaceFirst("\t[0-9a-f]{64}\n", "\tnot-a-hash\n"));
        assertThat(ClassPathDigest.compute(app.toString())).isEqualTo(hashed);
        Files.writeString(m, "garbage\n");
        assertThat(ClassPathDigest.compute(app.toString())).isEqualTo(hashed);
    }

    @Test
    void onlyRegularFilesAreRecorded() throws IOException {
        Files.delete(libB);
        assertThatThrownBy(() -> ClassPathManifest.write(app)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("b.jar");
    }

    private static void jar(Path file, String classPath, String entry, String content) throws IOException {
        Manifest mf = new Manifest();
        mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        if (classPath != null) {
            mf.getMainAttributes().put(Attributes.Name.CLASS_PATH, classPath);
        }
        try (OutputStream out = Files.newOutputStream(file); JarOutputStream j = new JarOutputStream(out, mf)) {
            j.putNextEntry(new JarEntry(entry));
            j.write(content.getBytes(StandardCharsets.UTF_8));
            j.closeEntry();
        }
    }
}
