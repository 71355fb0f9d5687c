package org.sesemi.bench.crypto;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Random;
import org.sesemi.crypto.CryptoProvider;
import org.sesemi.crypto.DecryptedModel;
import org.sesemi.crypto.ModelCipher;
import org.sesemi.crypto.ModelCipher.BufferKind;
import org.sesemi.crypto.ModelCipher.DecryptOptions;
import org.sesemi.crypto.ModelId;
import org.sesemi.crypto.ModelKey;
import org.sesemi.crypto.ModelKeyFile;
import org.sesemi.crypto.PrincipalId;

/**
 * Cold-start measurement: decrypting a model is the first work of a fresh JVM. Not a JMH benchmark on purpose: JMH
 * warms up, and the point here is the first (and only) call. {@code bench/cold-decrypt.sh} runs it many times, each in
 * a new JVM, and collects the JSON lines it prints.
 *
 * <pre>
 * ColdDecrypt prepare DIR [--size-mb 100] [--segments 65536,262144,1048576,4194304]
 * ColdDecrypt run FILE KEYFILE [--provider jdk|native|native-sync] [--threads 1] [--buffer heap|direct]
 *                              [--input stream|mmap|bytes] [--baseline] [--verify SHA256-HEX] [--io-wait-ms 0]
 * </pre>
 *
 * {@code --provider native} starts loading the native provider as the first statement of {@code main} and decrypts
 * with the JDK until it is ready (what a runtime does); {@code native-sync} waits for it before any other work (the
 * worst case, nothing overlaps); {@code --baseline} does everything but decrypt, so that the difference of two runs'
 * wall times is what decryption adds to a cold start. {@code --io-wait-ms} sleeps after reading the key, standing in
 * (labelled as such in the results) for the time a runtime waits on the network for its model key: idle CPU time
 * during which the native provider can load for free.
 */
public final class ColdDecrypt {
    private ColdDecrypt() {}

    public static void main(String[] args) throws Exception {
        long t0 = System.nanoTime();
        // The very first statement: a runtime would do this first to overlap loading with everything else.
        CryptoProvider provider = option(args, "--provider", "jdk").equals("jdk") ? CryptoProvider.jdk() : CryptoProvider.preferNative();
        if (args.length >= 2 && args[0].equals("prepare")) {
            prepare(Path.of(args[1]), Integer.parseInt(option(args, "--size-mb", "100")),
                    option(args, "--segments", "65536,262144,1048576,4194304"));
            return;
        }
        if (args.length < 3 || !args[0].equals("run")) {
            System.err.println("usage: ColdDecrypt prepare DIR [--size-mb N] [--segments a,b] | run FILE KEYFILE [options]");
            System.exit(2);
        }
        run(t0, provider, Path.of(args[1]), Path.of(args[2]), args);
    }

    private static void run(long t0, CryptoProvider provider, Path file, Path keyFile, String[] args) throws Exception {
        String mode = option(args, "--provider", "jdk");
        int threads = Integer.parseInt(option(args, "--threads", "1"));
        BufferKind kind = BufferKind.valueOf(option(args, "--buffer", "heap").toUpperCase(Locale.ROOT));
        String input = option(args, "--input", "stream");
        boolean baseline = has(args, "--baseline");
        if (mode.equals("native-sync")) {
            provider.awaitReady(Duration.ofSeconds(30));
        }
        long tProvider = System.nanoTime();
        ModelKeyFile kf = ModelKeyFile.read(keyFile);
        long ioWait = Long.parseLong(option(args, "--io-wait-ms", "0"));
        if (ioWait > 0) {
            // Emulated, and labelled so in every report: a runtime waits this long for the network (fetching the model
            // key from the KeyService over attested TLS) before it can decrypt; the CPU is idle meanwhile.
            Thread.sleep(ioWait);
        }
        long tKey = System.nanoTime();
        DecryptOptions options = new DecryptOptions(provider, threads);
        boolean nativeAtStart;
        long tRead;
        long tDone;
        String sha = "";
        if (input.equals("stream")) {
            tRead = System.nanoTime();
            nativeAtStart = provider.nativeActive();
            try (InputStream in = Files.newInputStream(file)) {
                if (baseline) {
                    byte[] buf = new byte[1 << 20];
                    while (in.read(buf) >= 0) {
                        // read only
                    }
                    tDone = System.nanoTime();
                } else {
                    try (DecryptedModel m = ModelCipher.decrypt(in, kf.modelId(), kf.key(), kind, options, done -> {})) {
                        tDone = System.nanoTime();
                        sha = maybeVerify(args, m);
                    }
                }
            }
        } else {
            ByteBuffer ct;
            if (input.equals("mmap")) {
                try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                    java.nio.MappedByteBuffer mapped = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size());
                    mapped.load(); // touch every page now, so that "read" is separate from "decrypt"
                    ct = mapped;
                }
            } else {
                ct = ByteBuffer.wrap(Files.readAllBytes(file));
            }
            tRead = System.nanoTime();
            nativeAtStart = provider.nativeActive();
            if (baseline) {
                tDone = tRead;
            } else {
                try (DecryptedModel m = ModelCipher.decrypt(ct, kf.modelId(), kf.key(), kind, options)) {
                    tDone = System.nanoTime();
                    sha = maybeVerify(args, m);
                }
            }
        }
        // Process CPU time (all threads: JIT compilers, GC, the provider loader) up to here. On a shared machine the
        // difference to the baseline's is steadier than wall time; read after the timed work, the cost of loading
        // the management classes is the same in every configuration and cancels out.
        double cpuMs = ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime() / 1e6;
        long size = Files.size(file);
        System.out.printf(Locale.ROOT,
                "{\"provider\":\"%s\",\"threads\":%d,\"buffer\":\"%s\",\"input\":\"%s\",\"baseline\":%b,\"fileBytes\":%d,"
                        + "\"providerWaitMs\":%.1f,\"keyLoadMs\":%.1f,\"readMs\":%.1f,\"decryptMs\":%.1f,\"mainToDoneMs\":%.1f,"
                        + "\"cpuMs\":%.1f,\"nativeReadyAtDecryptStart\":%b,\"providerAtEnd\":\"%s\",\"verified\":\"%s\"}%n",
                mode, threads, kind, input, baseline, size, ms(tProvider - t0), ms(tKey - tProvider),
                input.equals("stream") ? 0.0 : ms(tRead - tKey), input.equals("stream") ? ms(tDone - tRead) : ms(tDone - tRead),
                ms(tDone - t0), cpuMs, nativeAtStart, provider.describe().replace('"', '\''), sha);
    }

    private static String maybeVerify(String[] args, DecryptedModel m) throws NoSuchAlgorithmException {
        String expected = option(args, "--verify", "");
        if (expected.isEmpty()) {
            return "";
        }
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        md.update(m.buffer());
        String got = HexFormat.of().formatHex(md.digest());
        if (!got.equals(expected)) {
            throw new IllegalStateException("decrypted model does not match the prepared plaintext");
        }
        return "ok";
    }

    /** Writes a pseudo-random model encrypted at several segment sizes, its key file and its plaintext SHA-256. */
    private static void prepare(Path dir, int sizeMb, String segments) throws IOException, NoSuchAlgorithmException {
        Files.createDirectories(dir);
        byte[] plain = new byte[sizeMb << 20];
        new Random(42).nextBytes(plain); // incompressible, like real weights; content does not matter to AES
        ModelId id = new ModelId(PrincipalId.parse("0".repeat(64)), "cold-bench");
        ModelKey key = ModelKey.generate(1);
        new ModelKeyFile(id, key).write(dir.resolve("model.key"));
        Files.writeString(dir.resolve("model.sha256"),
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(plain)) + "\n");
        for (String s : segments.split(",")) {
            int seg = Integer.parseInt(s.trim());
            try (OutputStream out = Files.newOutputStream(dir.resolve("model-" + seg + ".sesemi"))) {
                ModelCipher.encrypt(new java.io.ByteArrayInputStream(plain), plain.length, out, id, key, seg, done -> {});
            }
        }
        System.out.println("prepared " + sizeMb + " MiB model in " + dir);
    }

    private static String option(String[] args, String name, String dflt) {
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return dflt;
    }

    private static boolean has(String[] args, String name) {
        for (String a : args) {
            if (a.equals(name)) {
                return true;
            }
        }
        return false;
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }
}
