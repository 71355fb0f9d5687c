package org.sesemi.crypto;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.function.LongConsumer;

/**
 * The streaming model envelope: a {@link ModelEnvelopeHeader} followed by AES-256-GCM segments (the STREAM
 * construction). Segment {@code i} uses nonce {@code baseNonce XOR u32be(i)} in its last four bytes and AAD
 * {@code headerTag ‖ u32be(i) ‖ u8(last)}. Byte layout: {@code docs/protocol.md}.
 *
 * <p>Decryption writes into one in-memory buffer and never returns partial plaintext: on any failure the buffer is
 * wiped and a {@link CryptoException} names what went wrong (truncation, trailing data, reordered, duplicated or
 * corrupted segment, header tampering, wrong key, model-id mismatch). Stateless and thread-safe.
 */
public final class ModelCipher {
    /** Default plaintext bytes per segment. */
    public static final int DEFAULT_SEGMENT_SIZE = 256 << 10;
    /** How many other positions a failing segment is compared against to tell reordering from corruption. */
    private static final int DIAGNOSIS_PROBES = 4096;

    /** Where decrypted bytes go. */
    public enum BufferKind { HEAP, DIRECT }

    private ModelCipher() {}

    /**
     * Encrypts exactly {@code plaintextLength} bytes from {@code in} to {@code out}.
     *
     * @param progress called with the number of plaintext bytes done so far (may be a no-op)
     * @throws IOException if {@code in} holds fewer or more bytes than declared, or on I/O failure
     */
    public static ModelEnvelopeHeader encrypt(InputStream in, long plaintextLength, OutputStream out, ModelId modelId,
            ModelKey key, int segmentSize, LongConsumer progress) throws IOException {
        return encrypt(in, plaintextLength, out, modelId, key, segmentSize, progress, RequestCipher.randomNonce());
    }

    /** Visible for known-answer tests only: encryption with a caller-chosen base nonce. */
    static ModelEnvelopeHeader encrypt(InputStream in, long plaintextLength, OutputStream out, ModelId modelId,
            ModelKey key, int segmentSize, LongConsumer progress, byte[] baseNonce) throws IOException {
        ModelEnvelopeHeader h = ModelEnvelopeHeader.create(modelId, key, segmentSize, plaintextLength, baseNonce);
        out.write(h.encode());
        long n = h.segmentCount();
        byte[] pt = new byte[segmentSize];
        ByteBuffer ct = ByteBuffer.allocate(segmentSize + AesGcm.TAG_BYTES);
        long done = 0;
        for (long i = 0; i < n; i++) {
            int len = h.plaintextSizeOf(i);
            if (in.readNBytes(pt, 0, len) != len) {
                throw new IOException("input ended after " + (done) + " of " + plaintextLength + " declared bytes");
            }
            ct.clear();
            AesGcm.encryptInto(key.bytes().aesKey(), nonce(h, i), aad(h, i, i == n - 1), ByteBuffer.wrap(pt, 0, len), ct);
            out.write(ct.array(), 0, ct.position());
            done += len;
            progress.accept(done);
        }
        java.util.Arrays.fill(pt, (byte) 0);
        if (in.read() != -1) {
            throw new IOException("input is longer than the declared " + plaintextLength + " bytes");
        }
        return h;
    }

    /** Decrypts a whole encrypted model from a stream into one in-memory buffer. */
    public static DecryptedModel decrypt(InputStream in, ModelId expected, ModelKey key, BufferKind kind) throws IOException {
        return decrypt(in, expected, key, kind, done -> {});
    }

    /**
     * Decrypts a whole encrypted model from a stream into one in-memory buffer.
     *
     * @param expected the model id the caller asked for; a file for any other model is rejected
     * @param progress called with plaintext bytes decrypted so far
     * @throws CryptoException with the reason for any integrity or format failure; nothing decrypted is returned
     */
    public static DecryptedModel decrypt(InputStream in, ModelId expected, ModelKey key, BufferKind kind, LongConsumer progress)
            throws IOException {
        ModelEnvelopeHeader h = ModelEnvelopeHeader.read(in);
        h.authenticate(key);
        if (!h.modelId().equals(expected)) {
            throw new CryptoException(CryptoException.Reason.MODEL_ID_MISMATCH,
                    "the encrypted model is for " + h.modelId() + ", expected " + expected);
        }
        if (h.keyVersion() != key.version()) {
            throw new CryptoException(CryptoException.Reason.WRONG_KEY,
                    "the model was encrypted under key version " + h.keyVersion() + ", the key given is version " + key.version());
        }
        int size = (int) h.plaintextLength();
        ByteBuffer outBuf = kind == BufferKind.DIRECT ? ByteBuffer.allocateDirect(size) : ByteBuffer.allocate(size);
        try {
            long n = h.segmentCount();
            byte[] chunk = new byte[h.segmentSize() + AesGcm.TAG_BYTES];
            for (long i = 0; i < n; i++) {
                int ptLen = h.plaintextSizeOf(i);
                int ctLen = ptLen + AesGcm.TAG_BYTES;
                int got = in.readNBytes(chunk, 0, ctLen);
                if (got != ctLen) {
                    throw new CryptoException(CryptoException.Reason.TRUNCATED,
                            "the encrypted model is truncated: it ends inside segment " + i + " of " + n);
                }
                ByteBuffer target = outBuf.slice((int) (i * h.segmentSize()), ptLen);
                if (!AesGcm.decryptInto(key.bytes().aesKey(), nonce(h, i), aad(h, i, i == n - 1), ByteBuffer.wrap(chunk, 0, ctLen), target)) {
                    throw diagnose(h, key, i, chunk, ctLen);
                }
                progress.accept(i * h.segmentSize() + ptLen);
            }
            if (in.read() != -1) {
                throw new CryptoException(CryptoException.Reason.TRAILING_DATA, "bytes follow the last segment of the encrypted model");
            }
            return new DecryptedModel(h, outBuf);
        } catch (RuntimeException | IOException | Error e) {
            wipe(outBuf);
            throw e;
        }
    }

    /** Finds out why segment {@code i} failed: another position's segment (reordered/duplicated) or corruption. */
    private static CryptoException diagnose(ModelEnvelopeHeader h, ModelKey key, long i, byte[] chunk, int ctLen) {
        long n = h.segmentCount();
        long probes = 0;
        for (long j = 0; j < n && probes < DIAGNOSIS_PROBES; j++) {
            if (j == i || h.plaintextSizeOf(j) + AesGcm.TAG_BYTES != ctLen) {
                continue;
            }
            probes++;
            ByteBuffer scratch = ByteBuffer.allocate(ctLen);
            if (AesGcm.decryptInto(key.bytes().aesKey(), nonce(h, j), aad(h, j, j == n - 1), ByteBuffer.wrap(chunk, 0, ctLen), scratch)) {
                wipe(scratch);
                return j < i
                        ? new CryptoException(CryptoException.Reason.SEGMENT_DUPLICATED,
                                "segment " + j + " of the encrypted model appears again at position " + i)
                        : new CryptoException(CryptoException.Reason.SEGMENT_REORDERED,
                                "segment " + j + " of the encrypted model appears at position " + i + " (segments reordered)");
            }
        }
        return new CryptoException(CryptoException.Reason.SEGMENT_CORRUPTED,
                "segment " + i + " of the encrypted model failed authentication (modified ciphertext)");
    }

    static byte[] nonce(ModelEnvelopeHeader h, long index) {
        byte[] n = h.baseNonce().clone();
        int idx = (int) index;
        n[8] ^= (byte) (idx >>> 24);
        n[9] ^= (byte) (idx >>> 16);
        n[10] ^= (byte) (idx >>> 8);
        n[11] ^= (byte) idx;
        return n;
    }

    static byte[] aad(ModelEnvelopeHeader h, long index, boolean last) {
        ByteBuffer b = ByteBuffer.allocate(ModelEnvelopeHeader.HEADER_TAG_BYTES + 5);
        b.put(h.headerTag()).putInt((int) index).put((byte) (last ? 1 : 0));
        return b.array();
    }

    static void wipe(ByteBuffer b) {
        ByteBuffer d = b.duplicate().clear();
        byte[] zeros = new byte[Math.min(8192, Math.max(1, d.capacity()))];
        while (d.hasRemaining()) {
            d.put(zeros, 0, Math.min(zeros.length, d.remaining()));
        }
    }
}
