package org.sesemi.bench.crypto;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.sesemi.crypto.CryptoException;
import org.sesemi.crypto.CryptoProvider;
import org.sesemi.crypto.DecryptedModel;
import org.sesemi.crypto.ModelCipher;
import org.sesemi.crypto.ModelCipher.BufferKind;
import org.sesemi.crypto.ModelCipher.DecryptOptions;
import org.sesemi.crypto.ModelId;
import org.sesemi.crypto.ModelKey;
import org.sesemi.crypto.PrincipalId;

/**
 * Checks, before any number is taken, that every decryption variant the benchmarks compare gives the same result as
 * the reference (stream overload, JDK provider): the same plaintext for good input, and the same
 * {@link CryptoException} reason and message for every single-bit flip, every truncation, trailing bytes, swapped
 * and duplicated segments. Variants: JDK and native provider, stream and in-memory overloads, 1–3 threads, heap and
 * direct buffers. Exits non-zero on the first difference. {@code bench/cold-decrypt.sh} runs it first.
 */
public final class DecryptEquivalence {
    private static final int SEG = 1024;
    private static final ModelId ID = new ModelId(PrincipalId.parse("1".repeat(64)), "equivalence");

    private DecryptEquivalence() {}

    public static void main(String[] args) throws IOException {
        CryptoProvider nat = CryptoProvider.preferNative().awaitReady(Duration.ofSeconds(30));
        System.out.println("native provider: " + nat.describe());
        List<Variant> variants = new ArrayList<>();
        for (CryptoProvider p : List.of(CryptoProvider.jdk(), nat)) {
            variants.add(new Variant(p, 0, BufferKind.HEAP, false));
            variants.add(new Variant(p, 0, BufferKind.DIRECT, false));
            for (int t = 1; t <= 3; t++) {
                variants.add(new Variant(p, t, t == 2 ? BufferKind.DIRECT : BufferKind.HEAP, t == 3));
            }
        }
        ModelKey key = ModelKey.generate(1);
        Random rnd = new Random(7);
        long checks = 0;
        for (int size : new int[] {0, 1, SEG - 1, SEG, SEG + 1, 3 * SEG + 7}) {
            byte[] plain = new byte[size];
            rnd.nextBytes(plain);
            byte[] ct = encrypt(plain, key);
            for (Variant v : variants) {
                checks += expectPlain(v, ct, key, plain);
            }
            List<byte[]> bad = new ArrayList<>();
            for (int pos = 0; pos < ct.length; pos++) {
                byte[] t = ct.clone();
                t[pos] ^= (byte) (1 << (pos % 8));
                bad.add(t);
            }
            for (int len = 0; len < ct.length; len++) {
                bad.add(Arrays.copyOf(ct, len));
            }
            bad.add(Arrays.copyOf(ct, ct.length + 1));
            int header = ct.length - size - (int) Math.max(1, (size + SEG - 1) / SEG) * 16;
            if (size > 2 * SEG) {
                bad.add(swapSegments(ct, header, 0, 1));
                bad.add(duplicateFirst(ct, header));
            }
            for (byte[] b : bad) {
                String reference = outcome(variants.get(0), b, key);
                for (Variant v : variants.subList(1, variants.size())) {
                    String got = outcome(v, b, key);
                    if (!got.equals(reference)) {
                        fail("size " + size + ", " + v + ": got [" + got + "], reference [" + reference + "]");
                    }
                    checks++;
                }
            }
        }
        // Many bad segments at once: concurrent workers fail at several indices, and the error must still name the
        // first one, as a sequential reader would (timing-dependent, so tried a few times).
        byte[] big = new byte[512 * SEG];
        rnd.nextBytes(big);
        byte[] bigCt = encrypt(big, key);
        int bigHeader = bigCt.length - big.length - 512 * 16;
        for (int attempt = 0; attempt < 20; attempt++) {
            byte[] t = bigCt.clone();
            for (int seg = attempt % 3; seg < 512; seg += 1 + attempt % 5) {
                t[bigHeader + seg * (SEG + 16) + 5] ^= 1;
            }
            String reference = outcome(variants.get(0), t, key);
            for (Variant v : variants.subList(1, variants.size())) {
                String got = outcome(v, t, key);
                if (!got.equals(reference)) {
                    fail("many bad segments, " + v + ": got [" + got + "], reference [" + reference + "]");
                }
                checks++;
            }
        }
        System.out.println("decrypt equivalence: " + checks + " checks passed over " + variants.size() + " variants");
    }

    private record Variant(CryptoProvider provider, int threads, BufferKind out, boolean offsetDirectInput) {
        DecryptedModel decrypt(byte[] ct, ModelKey key) throws IOException {
            if (threads == 0) {
                return ModelCipher.decrypt(new ByteArrayInputStream(ct), ID, key, out, new DecryptOptions(provider, 1), d -> {});
            }
            ByteBuffer in;
            if (offsetDirectInput) {
                // A buffer whose position is not 0, to check that the in-memory overload honours it.
                in = ByteBuffer.allocateDirect(ct.length + 3).position(3).put(ct).position(3);
            } else {
                in = ByteBuffer.wrap(ct);
            }
            int before = in.position();
            DecryptedModel m = ModelCipher.decrypt(in, ID, key, out, new DecryptOptions(provider, threads));
            if (in.position() != before) {
                fail(this + " moved the ciphertext buffer's position");
            }
            return m;
        }

        @Override
        public String toString() {
            return (provider.nativeActive() ? "native" : "jdk") + (threads == 0 ? " stream" : " in-memory/" + threads + " threads")
                    + " " + out + (offsetDirectInput ? " offset-direct-input" : "");
        }
    }

    private static long expectPlain(Variant v, byte[] ct, ModelKey key, byte[] plain) throws IOException {
        try (DecryptedModel m = v.decrypt(ct, key)) {
            if (!Arrays.equals(m.toByteArray(), plain)) {
                fail(v + " decrypted wrong bytes for a " + plain.length + "-byte model");
            }
        }
        return 1;
    }

    private static String outcome(Variant v, byte[] ct, ModelKey key) throws IOException {
        try (DecryptedModel m = v.decrypt(ct, key)) {
            return "ok " + m.size();
        } catch (CryptoException e) {
            return e.reason() + ": " + e.getMessage();
        }
    }

    private static byte[] encrypt(byte[] plain, ModelKey key) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ModelCipher.encrypt(new ByteArrayInputStream(plain), plain.length, out, ID, key, SEG, d -> {});
        return out.toByteArray();
    }

    private static byte[] swapSegments(byte[] ct, int header, int a, int b) {
        byte[] t = ct.clone();
        int s = SEG + 16;
        System.arraycopy(ct, header + a * s, t, header + b * s, s);
        System.arraycopy(ct, header + b * s, t, header + a * s, s);
        return t;
    }

    private static byte[] duplicateFirst(byte[] ct, int header) {
        byte[] t = ct.clone();
        int s = SEG + 16;
        System.arraycopy(ct, header, t, header + s, s);
        return t;
    }

    private static void fail(String msg) {
        System.err.println("DECRYPT EQUIVALENCE FAILED: " + msg);
        System.exit(1);
    }
}
