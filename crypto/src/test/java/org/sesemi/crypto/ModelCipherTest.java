package org.sesemi.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class ModelCipherTest {
    static final PrincipalId OWNER = PrincipalId.parse("c".repeat(64));
    static final ModelId ID = new ModelId(OWNER, "net");
    static final int SEG = 1024;

    static byte[] plain(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    static byte[] encrypt(byte[] plain, ModelId id, ModelKey key, int seg) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ModelCipher.encrypt(new ByteArrayInputStream(plain), plain.length, out, id, key, seg, n -> {});
        return out.toByteArray();
    }

    static DecryptedModel decrypt(byte[] ct, ModelId id, ModelKey key) throws IOException {
        return ModelCipher.decrypt(new ByteArrayInputStream(ct), id, key, ModelCipher.BufferKind.HEAP);
    }

    static CryptoException.Reason failure(byte[] ct, ModelId id, ModelKey key) {
        try (DecryptedModel m = decrypt(ct, id, key)) {
            throw new AssertionError("accepted a bad envelope: " + m);
        } catch (CryptoException e) {
            return e.reason();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Property(tries = 60)
    void roundTripsAnySizeAndSegmentSize(@ForAll @IntRange(min = 0, max = 9000) int size,
            @ForAll @IntRange(min = 1024, max = 4096) int segmentSize, @ForAll boolean direct) throws IOException {
        byte[] p = plain(size, size * 31L + segmentSize);
        ModelKey key = ModelKey.generate(3);
        byte[] ct = encrypt(p, ID, key, segmentSize);
        ModelEnvelopeHeader h = ModelEnvelopeHeader.read(new ByteArrayInputStream(ct));
        assertThat(h.ciphertextLength()).isEqualTo(ct.length);
        assertThat(h.keyVersion()).isEqualTo(3);
        try (DecryptedModel m = ModelCipher.decrypt(new ByteArrayInputStream(ct), ID, key,
                direct ? ModelCipher.BufferKind.DIRECT : ModelCipher.BufferKind.HEAP)) {
            assertThat(m.buffer().isDirect()).isEqualTo(direct);
            assertThat(m.toByteArray()).isEqualTo(p);
            assertThat(m.size()).isEqualTo(size);
        }
    }

    @Test
    void everySingleBitFlipIsRejected() throws IOException {
        byte[] p = plain(2 * SEG + 100, 1);
        ModelKey key = ModelKey.generate(1);
        byte[] ct = encrypt(p, ID, key, SEG);
        for (int i = 0; i < ct.length; i++) {
            byte[] t = ct.clone();
            t[i] ^= (byte) (1 << (i % 8));
            assertThat(failure(t, ID, key)).as("flip at byte %d", i).isNotNull();
        }
    }

    @Test
    void headerRegionsGiveSpecificReasons() throws IOException {
        ModelKey key = ModelKey.generate(1);
        byte[] ct = encrypt(plain(3000, 2), ID, key, SEG);
        int idLen = ID.toString().length();
        assertThat(failure(flip(ct, 0), ID, key)).isEqualTo(CryptoException.Reason.BAD_MAGIC);
        assertThat(failure(flip(ct, 4), ID, key)).isEqualTo(CryptoException.Reason.UNSUPPORTED_VERSION);
        assertThat(failure(flip(ct, 5), ID, key)).isEqualTo(CryptoException.Reason.HEADER_FIELD_INVALID);
        // key version, segment size, length, nonce: authenticated by the header tag
        assertThat(failure(flip(ct, 8 + idLen + 3, 2), ID, key)).isEqualTo(CryptoException.Reason.HEADER_TAMPERED);
        assertThat(failure(flip(ct, 8 + idLen + 4 + 2), ID, key)).isEqualTo(CryptoException.Reason.HEADER_TAMPERED);
        assertThat(failure(flip(ct, 8 + idLen + 8 + 7), ID, key)).isEqualTo(CryptoException.Reason.HEADER_TAMPERED);
        assertThat(failure(flip(ct, 8 + idLen + 16 + 5), ID, key)).isEqualTo(CryptoException.Reason.HEADER_TAMPERED);
        // header tag itself
        assertThat(failure(flip(ct, 84 + idLen - 1), ID, key)).isEqualTo(CryptoException.Reason.HEADER_TAMPERED);
        // key check
        assertThat(failure(flip(ct, 8 + idLen + 28 + 1), ID, key)).isEqualTo(CryptoException.Reason.WRONG_KEY);
        // first segment
        assertThat(failure(flip(ct, 84 + idLen + 10), ID, key)).isEqualTo(CryptoException.Reason.SEGMENT_CORRUPTED);
    }

    @Test
    void modelIdInHeaderCannotBeSwappedOrChanged() throws IOException {
        ModelKey key = ModelKey.generate(1);
        ModelId other = new ModelId(OWNER, "nat"); // same length, one letter differs
        byte[] ct = encrypt(plain(1500, 3), ID, key, SEG);
        assertThat(failure(ct, other, key)).isEqualTo(CryptoException.Reason.MODEL_ID_MISMATCH);
        // rewriting the id in the header (to make the file pass as another model) breaks the header tag
        byte[] t = ct.clone();
        int pos = 8 + OWNER.hex().length() + 2;
        t[pos] = 'a';
        assertThat(failure(t, other, key)).isEqualTo(CryptoException.Reason.HEADER_TAMPERED);
        // a file encrypted for another model under another key: the key check tells
        byte[] foreign = encrypt(plain(1500, 3), other, ModelKey.generate(1), SEG);
        assertThat(failure(foreign, ID, key)).isEqualTo(CryptoException.Reason.WRONG_KEY);
    }

    @Test
    void wrongKeyAndWrongVersion() throws IOException {
        ModelKey key = ModelKey.generate(2);
        byte[] ct = encrypt(plain(100, 4), ID, key, SEG);
        assertThat(failure(ct, ID, ModelKey.generate(2))).isEqualTo(CryptoException.Reason.WRONG_KEY);
        assertThat(failure(ct, ID, ModelKey.fromSecret(key.exportSecret(), 1))).isEqualTo(CryptoException.Reason.WRONG_KEY);
    }

    @Test
    void truncationAtEveryLengthIsDetected() throws IOException {
        ModelKey key = ModelKey.generate(1);
        byte[] ct = encrypt(plain(2 * SEG + 10, 5), ID, key, SEG);
        for (int len = 0; len < ct.length; len++) {
            assertThat(failure(Arrays.copyOf(ct, len), ID, key)).as("truncated to %d", len)
                    .isIn(CryptoException.Reason.TRUNCATED, CryptoException.Reason.BAD_MAGIC);
        }
        assertThat(failure(Arrays.copyOf(ct, 2), ID, key)).isEqualTo(CryptoException.Reason.TRUNCATED);
        assertThat(failure(Arrays.copyOf(ct, 84 + ID.toString().length() + SEG + 16), ID, key))
                .isEqualTo(CryptoException.Reason.TRUNCATED);
    }

    @Test
    void extraBytesAreRejected() throws IOException {
        ModelKey key = ModelKey.generate(1);
        byte[] ct = encrypt(plain(1500, 6), ID, key, SEG);
        assertThat(failure(Arrays.copyOf(ct, ct.length + 1), ID, key)).isEqualTo(CryptoException.Reason.TRAILING_DATA);
        byte[] twice = Arrays.copyOf(ct, ct.length * 2);
        System.arraycopy(ct, 0, twice, ct.length, ct.length);
        assertThat(failure(twice, ID, key)).isEqualTo(CryptoException.Reason.TRAILING_DATA);
    }

    @Test
    void reorderedAndDuplicatedSegmentsAreNamed() throws IOException {
        ModelKey key = ModelKey.generate(1);
        byte[] ct = encrypt(plain(4 * SEG, 7), ID, key, SEG);
        int h = 84 + ID.toString().length();
        int s = SEG + 16;
        byte[] swapped = ct.clone();
        System.arraycopy(ct, h + s, swapped, h, s);
        System.arraycopy(ct, h, swapped, h + s, s);
        assertThat(failure(swapped, ID, key)).isEqualTo(CryptoException.Reason.SEGMENT_REORDERED);

        byte[] dup = ct.clone();
        System.arraycopy(ct, h, dup, h + 2 * s, s); // segment 0 again at position 2
        assertThat(failure(dup, ID, key)).isEqualTo(CryptoException.Reason.SEGMENT_DUPLICATED);

        // a segment lifted from another file of the same model and key is corrupted at that position
        byte[] other = encrypt(plain(4 * SEG, 8), ID, key, SEG);
        byte[] spliced = ct.clone();
        System.arraycopy(other, h + s, spliced, h + s, s);
        assertThat(failure(spliced, ID, key)).isEqualTo(CryptoException.Reason.SEGMENT_CORRUPTED);
    }

    @Test
    void droppingTheLastSegmentIsTruncationEvenWhenTheLengthFieldWouldMatch() throws IOException {
        // The last-segment flag: a full-size non-last segment cannot end the stream.
        ModelKey key = ModelKey.generate(1);
        byte[] ct = encrypt(plain(2 * SEG, 9), ID, key, SEG);
        int h = 84 + ID.toString().length();
        assertThat(failure(Arrays.copyOf(ct, h + SEG + 16), ID, key)).isEqualTo(CryptoException.Reason.TRUNCATED);
    }

    @Test
    void oversizedAndInvalidHeaderFields() throws IOException {
        ModelKey key = ModelKey.generate(1);
        byte[] ct = encrypt(plain(10, 10), ID, key, SEG);
        int idLen = ID.toString().length();
        byte[] bigId = ct.clone();
        bigId[6] = (byte) 0xff;
        bigId[7] = (byte) 0xff;
        assertThat(failure(bigId, ID, key)).isEqualTo(CryptoException.Reason.HEADER_FIELD_INVALID);
        byte[] zeroId = ct.clone();
        zeroId[6] = 0;
        zeroId[7] = 0;
        assertThat(failure(zeroId, ID, key)).isEqualTo(CryptoException.Reason.HEADER_FIELD_INVALID);
        byte[] seg = ct.clone();
        ByteBuffer.wrap(seg).putInt(8 + idLen + 4, Integer.MAX_VALUE);
        assertThat(failure(seg, ID, key)).isEqualTo(CryptoException.Reason.HEADER_FIELD_INVALID);
        byte[] huge = ct.clone();
        ByteBuffer.wrap(huge).putLong(8 + idLen + 8, Long.MAX_VALUE);
        assertThat(failure(huge, ID, key)).isEqualTo(CryptoException.Reason.TOO_LARGE);
        byte[] negVersion = ct.clone();
        ByteBuffer.wrap(negVersion).putInt(8 + idLen, 0);
        assertThat(failure(negVersion, ID, key)).isEqualTo(CryptoException.Reason.HEADER_FIELD_INVALID);
        byte[] badIdChars = ct.clone();
        badIdChars[8] = '/';
        assertThat(failure(badIdChars, ID, key)).isEqualTo(CryptoException.Reason.HEADER_FIELD_INVALID);
    }

    @Test
    void failureMessagesNamePositionsNeverBytes() throws IOException {
        ModelKey key = ModelKey.generate(1);
        byte[] p = plain(3 * SEG, 11);
        byte[] t = flip(encrypt(p, ID, key, SEG), 84 + ID.toString().length() + 2 * (SEG + 16) + 5);
        assertThatThrownBy(() -> decrypt(t, ID, key)).isInstanceOf(CryptoException.class)
                .hasMessage("segment 2 of the encrypted model failed authentication (modified ciphertext)");
    }

    @Test
    void encryptRejectsInputOfTheWrongLength() {
        ModelKey key = ModelKey.generate(1);
        assertThatThrownBy(() -> ModelCipher.encrypt(new ByteArrayInputStream(new byte[10]), 11, new ByteArrayOutputStream(), ID, key, SEG, n -> {}))
                .isInstanceOf(IOException.class);
        assertThatThrownBy(() -> ModelCipher.encrypt(new ByteArrayInputStream(new byte[12]), 11, new ByteArrayOutputStream(), ID, key, SEG, n -> {}))
                .isInstanceOf(IOException.class);
        assertThatThrownBy(() -> ModelCipher.encrypt(new ByteArrayInputStream(new byte[12]), 12, new ByteArrayOutputStream(), ID, key, 100, n -> {}))
                .isInstanceOf(CryptoException.class).hasMessageContaining("segment size");
    }

    @Test
    void closedModelIsWipedAndUnusable() throws IOException {
        ModelKey key = ModelKey.generate(1);
        DecryptedModel m = decrypt(encrypt(plain(2000, 12), ID, key, SEG), ID, key);
        ByteBuffer view = m.writableBuffer();
        m.close();
        while (view.hasRemaining()) {
            assertThat(view.get()).isZero();
        }
        assertThatThrownBy(m::buffer).isInstanceOf(IllegalStateException.class);
    }

    private static byte[] flip(byte[] b, int i) {
        return flip(b, i, 1);
    }

    private static byte[] flip(byte[] b, int i, int mask) {
        byte[] t = b.clone();
        t[i] ^= (byte) mask;
        return t;
    }
}
