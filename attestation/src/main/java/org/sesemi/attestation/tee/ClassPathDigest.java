package org.sesemi.attestation.tee;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import org.sesemi.time.SystemTime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The code part of a simulated enclave's measurement: SHA-256 over the contents of every class-path entry in order
 * (files by content; directories by sorted relative path and content), including the jars a jar's manifest
 * {@code Class-Path} names. Paths themselves are not hashed, so the same build measures the same wherever it is
 * unpacked.
 *
 * <p>What it promises: two JVMs get the same digest iff they run the same bytes, so an owner grants one build and a
 * rebuilt or replaced jar gets another measurement (and another sealing key). It is computed in this process from
 * files the host can write, so it protects nothing against that host — like the rest of the simulated TEE. A real
 * TEE measures the enclave in hardware (MRENCLAVE, MRTD) and none of this applies there.
 *
 * <p>The build writes a {@link ClassPathManifest} next to {@code sesemi.jar} with each class-path file's hash, size
 * and modification time, so a start does not hash the ~130 MB of jars again: a file whose size and modification time
 * are those recorded uses the recorded hash, any other file is hashed. The digest is the same either way; the
 * manifest is a cache, never an input of its own. (A file changed in place while keeping its size and modification
 * time to the nanosecond would keep its recorded hash; whoever can do that can also read the simulated TEE's keys.)
 */
public final class ClassPathDigest {
    private static final Logger LOG = LoggerFactory.getLogger(ClassPathDigest.class);
    private static volatile byte[] codeDigest;

    private ClassPathDigest() {}

    /** The digest of this JVM's class path ({@code java.class.path}); computed once per JVM. */
    public static byte[] codeDigest() {
        byte[] d = codeDigest;
        if (d == null) {
            synchronized (ClassPathDigest.class) {
                if (codeDigest == null) {
                    long t0 = SystemTime.ticker().read();
                    codeDigest = compute(System.getProperty("java.class.path", ""));
                    LOG.debug("class path measured in {} ms", (SystemTime.ticker().read() - t0) / 1_000_000);
                }
                d = codeDigest;
            }
        }
        return d.clone();
    }

    /**
     * The digest of {@code classPath}, using the build's manifest when there is one for it. While every file the
     * manifest lists is unchanged, not even the jars' own manifests are read again (their {@code Class-Path} is part
     * of their unchanged bytes).
     */
    public static byte[] compute(String classPath) {
        List<Path> roots = roots(classPath);
        Optional<ClassPathManifest> manifest = ClassPathManifest.find(roots);
        List<Path> entries = manifest.flatMap(ClassPathManifest::entriesIfUnchanged).orElseGet(() -> expand(roots));
        return digest(entries, manifest.filter(m -> m.lists(entries)));
    }

    /**
     * The digest of {@code classPath} from the files alone (every file hashed, no manifest read): what a start
     * without the build's manifest computes.
     */
    public static byte[] computeWithoutManifest(String classPath) {
        return digest(entries(classPath), Optional.empty());
    }

    /** The class-path entries in order, absolute, each jar followed by the jars its manifest names (each once). */
    static List<Path> entries(String classPath) {
        return expand(roots(classPath));
    }

    private static List<Path> roots(String classPath) {
        List<Path> roots = new ArrayList<>();
        for (String entry : classPath.split(File.pathSeparator)) {
            if (!entry.isBlank()) {
                roots.add(Path.of(entry).toAbsolutePath().normalize());
            }
        }
        return roots;
    }

    private static List<Path> expand(List<Path> roots) {
        List<Path> entries = new ArrayList<>();
        roots.forEach(r -> addWithManifestClassPath(r, entries));
        return entries;
    }

    private static byte[] digest(List<Path> entries, Optional<ClassPathManifest> manifest) {
        MessageDigest md = sha256();
        for (Path p : entries) {
            try {
                if (Files.isRegularFile(p)) {
                    md.update("file\0".getBytes(StandardCharsets.US_ASCII));
                    Optional<byte[]> recorded = manifest.flatMap(m -> m.hashIfUnchanged(p));
                    md.update(recorded.isPresent() ? recorded.get() : fileHash(p));
                } else if (Files.isDirectory(p)) {
                    md.update("dir\0".getBytes(StandardCharsets.US_ASCII));
                    List<Path> files = new ArrayList<>();
                    try (Stream<Path> s = Files.walk(p)) {
                        s.filter(Files::isRegularFile).forEach(files::add);
                    }
                    files.sort(Comparator.comparing(f -> relative(p, f)));
                    for (Path f : files) {
                        md.update((relative(p, f) + "\0").getBytes(StandardCharsets.UTF_8));
                        md.update(fileHash(f));
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot measure class path entry " + p, e);
            }
        }
        return md.digest();
    }

    private static String relative(Path dir, Path f) {
        return dir.relativize(f).toString().replace('\\', '/');
    }

    /**
     * {@code java -jar app.jar} puts only app.jar on {@code java.class.path}; the JVM also loads the jars its manifest
     * {@code Class-Path} names, so those are measured too (after the jar, in manifest order, each once).
     */
    private static void addWithManifestClassPath(Path p, List<Path> out) {
        if (out.contains(p)) {
            return;
        }
        out.add(p);
        if (!Files.isRegularFile(p) || !p.getFileName().toString().endsWith(".jar")) {
            return;
        }
        try (JarFile jar = new JarFile(p.toFile())) {
            Manifest m = jar.getManifest();
            String cp = m == null ? null : m.getMainAttributes().getValue(Attributes.Name.CLASS_PATH);
            if (cp != null) {
                for (String rel : cp.trim().split("\\s+")) {
                    if (!rel.isEmpty()) {
                        addWithManifestClassPath(p.resolveSibling(rel).normalize(), out);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the manifest of " + p, e);
        }
    }

    static byte[] fileHash(Path f) throws IOException {
        MessageDigest md = sha256();
        try (InputStream in = Files.newInputStream(f)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        }
        return md.digest();
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
