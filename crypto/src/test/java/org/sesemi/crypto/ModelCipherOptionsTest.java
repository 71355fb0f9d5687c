package org.sesemi.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** The provider choice and the in-memory (segment-parallel) overload change speed only, never bytes or errors. */
class ModelCipherOptionsTest {
    static final ModelId ID = ModelCipherTest.ID;
    static final int SEG = ModelCipherTest.SEG;

    static List<ModelCipher.DecryptOptions> allOptions() {
        CryptoProvider nat = CryptoProvider.preferNative().awaitReady(Duration.ofSeconds(30));
        List<ModelCipher.DecryptOptions> out = new ArrayList<>();
        for (CryptoProvider p : List.of(CryptoProvider.jdk(), nat)) {
            for (int t = 1; t <= 3; t++) {
                out.add(new ModelCipher.DecryptOptions(p, t));
            }
        }
        return out;
    }

    static String outcomeStream(byte[] ct, ModelKey key, ModelCipher.DecryptOptions o) {
        try (DecryptedModel m = ModelCipher.decrypt(new ByteArrayInputStream(ct), ID, key, ModelCipher.BufferKind.HEAP, o, d -> {})) {
            return "ok " + Arrays.hashCode(m.toByteArray());
        } catch (CryptoException e) {
            return e.reason() + ": " + e.getMessage();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    static String outcomeInMemory(ByteBuffer ct, ModelKey key, ModelCipher.DecryptOptions o, ModelCipher.BufferKind kind) {
        try (DecryptedModel m = ModelCipher.decrypt(ct, ID, key, kind, o)) {
            return "ok " + Arrays.hashCode(m.toByteArray());
        } catch (CryptoException e) {
            return e.reason() + ": " + e.getMessage();
        }
    }

    @Property(tries = 40)
    void inMemoryRoundTripsLikeTheStream(@ForAll @IntRange(min = 0, max = 9000) int size, @ForAll @IntRange(min = 1, max = 4) int threads,
            @ForAll boolean directIn, @ForAll boolean directOut) throws IOException {
        byte[] p = ModelCipherTest.plain(size, size * 7L + threads);
        ModelKey key = ModelKey.generate(1);
        byte[] ct = ModelCipherTest.encrypt(p, ID, key, SEG);
        ByteBuffer in = directIn ? ByteBuffer.allocateDirect(ct.length).put(ct).flip() : ByteBuffer.wrap(ct);
        try (DecryptedModel m = ModelCipher.decrypt(in, ID, key, directOut ? ModelCipher.BufferKind.DIRECT : ModelCipher.BufferKind.HEAP,
                new ModelCipher.DecryptOptions(CryptoProvider.preferNative(), threads))) {
            assertThat(m.toByteArray()).isEqualTo(p);
            assertThat(m.buffer().isDirect()).isEqualTo(directOut);
        }
        assertThat(in.position()).isZero();
    }

    @Test
    void everyOptionFailsExactlyLikeTheReferenceOnEveryTamperedByteAndTruncation() throws IOException {
        ModelKey key = ModelKey.generate(1);
        byte[] ct = ModelCipherTest.encrypt(ModelCipherTest.plain(3 * SEG + 5, 1), ID, key, SEG);
        List<byte[]> bad = new ArrayList<>();
        for (int i = 0; i < ct.length; i++) {
            byte[] t = ct.clone();
            t[i] ^= 0x40;
            bad.add(t);
        }
        for (int len = 0; len < ct.length; len++) {
            bad.add(Arrays.copyOf(ct, len));
        }
        bad.add(Arrays.copyOf(ct, ct.length + 1));
        ModelCipher.DecryptOptions reference = new ModelCipher.DecryptOptions(CryptoProvider.jdk(), 1);
        List<ModelCipher.DecryptOptions> options = allOptions();
        for (byte[] b : bad) {
            String expected = outcomeStream(b, key, reference);
            assertThat(expected).doesNotStartWith("ok");
            for (ModelCipher.DecryptOptions o : options) {
                assertThat(outcomeStream(b, key, o)).as("stream %s", o).isEqualTo(expected);
                assertThat(outcomeInMemory(ByteBuffer.wrap(b), key, o, ModelCipher.BufferKind.HEAP)).as("in-memory %s", o).isEqualTo(expected);
            }
        }
    }

    @Test
    void manyBadSegmentsNameTheFirstOneEvenInParallel() throws IOException {
        ModelKey key = ModelKey.generate(1);
        int n = 256;
        byte[] ct = ModelCipherTest.encrypt(ModelCipherTest.plain(n * SEG, 2), ID, key, SEG);
        int header = ct.length - n * (SEG + AesGcm.TAG_BYTES);
        for (int first = 0; first < 3; first++) {
            byte[] t = ct.clone();
            for (int s = first; s < n; s += 2) {
                t[header + s * (SEG + AesGcm.TAG_BYTES) + 3] ^= 1;
            }
            for (ModelCipher.DecryptOptions o : allOptions()) {
                assertThatThrownBy(() -> ModelCipher.decrypt(ByteBuffer.wrap(t), ID, key, ModelCipher.BufferKind.HEAP, o))
                        .isInstanceOf(CryptoException.class)
                        .hasMessage("segment " + first + " of the encrypted model failed authentication (modified ciphertext)");
            }
        }
    }

    @Test
    void providerDescribesItselfAndTheJdkOneIsNeverNative() {
        assertThat(CryptoProvider.jdk().nativeActive()).isFalse();
        assertThat(CryptoProvider.jdk().describe()).startsWith("SunJCE");
        CryptoProvider p = CryptoProvider.preferNative().awaitReady(Duration.ofSeconds(30));
        assertThat(p.describe()).isNotBlank();
        assertThat(p.nativeActive() ? p.describe() : "").satisfiesAnyOf(
                d -> assertThat(d).isEmpty(), d -> assertThat(d).startsWith("AmazonCorrettoCryptoProvider"));
        assertThat(CryptoProvider.preferNative()).isSameAs(p);
    }

    @Test
    void optionsAreValidated() {
        assertThatThrownBy(() -> new ModelCipher.DecryptOptions(CryptoProvider.jdk(), 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ModelCipher.DecryptOptions(CryptoProvider.jdk(), 65)).isInstanceOf(IllegalArgumentException.class);
    }
}
