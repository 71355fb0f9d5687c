package org.sesemi.crypto;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;

/**
 * The clear-text header of an encrypted model ({@code docs/protocol.md}, "Model envelope"). Readable without the
 * key, e.g. to learn which model and key version a file needs; its integrity is checked by
 * {@link ModelCipher#decrypt}.
 *
 * @param headerLength total header bytes ({@code 84 + model id length})
 */
public record ModelEnvelopeHeader(
        ModelId modelId, int keyVersion, int segmentSize, long plaintextLength, byte[] baseNonce, byte[] keyCheck,
        byte[] headerTag, int headerLength) {

    static final byte[] MAGIC = {'S', 'S', 'M', 'M'};
    static final int VERSION = 1;
    static final int MIN_SEGMENT = 1024;
    static final int MAX_SEGMENT = 64 << 20;
    static final int MAX_MODEL_ID = 255;
    static final int KEY_CHECK_BYTES = 16;
    static final int HEADER_TAG_BYTES = 32;
    /** Largest plaintext one in-memory buffer can hold. */
    public static final long MAX_PLAINTEXT = Integer.MAX_VALUE - 64;
    private static final byte[] KEY_CHECK_LABEL = "sesemi-model-keycheck-v1".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HEADER_TAG_LABEL = "sesemi-model-header-v1".getBytes(StandardCharsets.US_ASCII);

    /** Number of segments: at least one (an empty model is one empty last segment). */
    public long segmentCount() {
        return Math.max(1, (plaintextLength + segmentSize - 1) / segmentSize);
    }

    /** Total length of a well-formed encrypted file with this header. */
    public long ciphertextLength() {
        return headerLength + plaintextLength + segmentCount() * AesGcm.TAG_BYTES;
    }

    int plaintextSizeOf(long index) {
        long last = segmentCount() - 1;
        return index < last ? segmentSize : (int) (plaintextLength - last * segmentSize);
    }

    /** Builds and authenticates a new header. */
    static ModelEnvelopeHeader create(ModelId id, ModelKey key, int segmentSize, long plaintextLength, byte[] baseNonce) {
        checkSegmentSize(segmentSize);
        if (plaintextLength < 0 || plaintextLength > MAX_PLAINTEXT) {
            throw new CryptoException(CryptoException.Reason.TOO_LARGE, "a model may have at most " + MAX_PLAINTEXT + " bytes");
        }
        byte[] raw = key.exportSecret();
        try {
            byte[] keyCheck = Arrays.copyOf(Hashes.hmacSha256(raw, KEY_CHECK_LABEL), KEY_CHECK_BYTES);
            byte[] prefix = prefix(id, key.version(), segmentSize, plaintextLength, baseNonce, keyCheck);
            byte[] tag = Hashes.hmacSha256(raw, HEADER_TAG_LABEL, prefix);
            return new ModelEnvelopeHeader(id, key.version(), segmentSize, plaintextLength, baseNonce.clone(), keyCheck, tag,
                    prefix.length + HEADER_TAG_BYTES);
        } finally {
            Arrays.fill(raw, (byte) 0);
        }
    }

    byte[] encode() {
        byte[] prefix = prefix(modelId, keyVersion, segmentSize, plaintextLength, baseNonce, keyCheck);
        byte[] out = Arrays.copyOf(prefix, prefix.length + HEADER_TAG_BYTES);
        System.arraycopy(headerTag, 0, out, prefix.length, HEADER_TAG_BYTES);
        return out;
    }

    /**
     * Checks key and header integrity: WRONG_KEY, then HEADER_TAMPERED. Callers that act on a header field before
     * decrypting (e.g. charge memory for {@link #plaintextLength()}) call this first, so that a forged field is
     * reported as tampering rather than acted upon.
     */
    public void authenticate(ModelKey key) {
        byte[] raw = key.exportSecret();
        try {
            byte[] expectedCheck = Arrays.copyOf(Hashes.hmacSha256(raw, KEY_CHECK_LABEL), KEY_CHECK_BYTES);
            if (!MessageDigest.isEqual(expectedCheck, keyCheck)) {
                throw new CryptoException(CryptoException.Reason.WRONG_KEY,
                        "the model key does not match this encrypted model (model " + modelId + ", key version " + keyVersion + ")");
            }
            byte[] prefix = prefix(modelId, keyVersion, segmentSize, plaintextLength, baseNonce, keyCheck);
            if (!MessageDigest.isEqual(Hashes.hmacSha256(raw, HEADER_TAG_LABEL, prefix), headerTag)) {
                throw new CryptoException(CryptoException.Reason.HEADER_TAMPERED, "the encrypted model's header was modified");
            }
        } finally {
            Arrays.fill(raw, (byte) 0);
        }
    }

    /**
     * Reads a header from the start of {@code in}, leaving the stream at the first segment.
     *
     * @throws CryptoException BAD_MAGIC, UNSUPPORTED_VERSION, HEADER_FIELD_INVALID, TOO_LARGE or TRUNCATED
     */
    public static ModelEnvelopeHeader read(InputStream in) throws IOException {
        ByteBuffer fixed = ByteBuffer.wrap(readExactly(in, 8));
        byte[] magic = new byte[4];
        fixed.get(magic);
        if (!Arrays.equals(magic, MAGIC)) {
            throw new CryptoException(CryptoException.Reason.BAD_MAGIC, "not a SeSeMI encrypted model (bad magic)");
        }
        int version = fixed.get() & 0xff;
        if (version != VERSION) {
            throw new CryptoException(CryptoException.Reason.UNSUPPORTED_VERSION,
                    "encrypted model format version " + version + " is not supported (this build reads version " + VERSION + ")");
        }
        if (fixed.get() != 0) {
            throw invalid("reserved flags byte must be 0");
        }
        int idLen = fixed.getShort() & 0xffff;
        if (idLen == 0 || idLen > MAX_MODEL_ID) {
            throw invalid("model id length " + idLen + " outside 1.." + MAX_MODEL_ID);
        }
        ModelId id;
        try {
            id = ModelId.parse(new String(readExactly(in, idLen), StandardCharsets.UTF_8));
        } catch (CryptoException e) {
            if (e.reason() == CryptoException.Reason.TRUNCATED) {
                throw e;
            }
            throw invalid("model id is not <owner id>/<name>");
        }
        ByteBuffer rest = ByteBuffer.wrap(readExactly(in, 4 + 4 + 8 + AesGcm.NONCE_BYTES + KEY_CHECK_BYTES + HEADER_TAG_BYTES));
        int keyVersion = rest.getInt();
        if (keyVersion < 1) {
            throw invalid("key version must be >= 1");
        }
        int segmentSize = rest.getInt();
        checkSegmentSize(segmentSize);
        long plaintextLength = rest.getLong();
        if (plaintextLength < 0 || plaintextLength > MAX_PLAINTEXT) {
            throw new CryptoException(CryptoException.Reason.TOO_LARGE,
                    "declared model size " + Long.toUnsignedString(plaintextLength) + " exceeds the limit of " + MAX_PLAINTEXT + " bytes");
        }
        byte[] nonce = new byte[AesGcm.NONCE_BYTES];
        byte[] keyCheck = new byte[KEY_CHECK_BYTES];
        byte[] tag = new byte[HEADER_TAG_BYTES];
        rest.get(nonce).get(keyCheck).get(tag);
        return new ModelEnvelopeHeader(id, keyVersion, segmentSize, plaintextLength, nonce, keyCheck, tag, 84 + idLen);
    }

    private static void checkSegmentSize(int segmentSize) {
        if (segmentSize < MIN_SEGMENT || segmentSize > MAX_SEGMENT) {
            throw invalid("segment size " + Integer.toUnsignedString(segmentSize) + " outside " + MIN_SEGMENT + ".." + MAX_SEGMENT);
        }
    }

    private static byte[] prefix(ModelId id, int keyVersion, int segmentSize, long plaintextLength, byte[] nonce, byte[] keyCheck) {
        byte[] idBytes = id.toString().getBytes(StandardCharsets.UTF_8);
        if (idBytes.length > MAX_MODEL_ID) {
            throw invalid("model id longer than " + MAX_MODEL_ID + " bytes");
        }
        ByteArrayOutputStream buf = new ByteArrayOutputStream(84 + idBytes.length);
        try (DataOutputStream out = new DataOutputStream(buf)) {
            out.write(MAGIC);
            out.writeByte(VERSION);
            out.writeByte(0);
            out.writeShort(idBytes.length);
            out.write(idBytes);
            out.writeInt(keyVersion);
            out.writeInt(segmentSize);
            out.writeLong(plaintextLength);
            out.write(nonce);
            out.write(keyCheck);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return buf.toByteArray();
    }

    static byte[] readExactly(InputStream in, int n) throws IOException {
        byte[] b = in.readNBytes(n);
        if (b.length != n) {
            throw new CryptoException(CryptoException.Reason.TRUNCATED, "the encrypted model ends inside its header");
        }
        return b;
    }

    private static CryptoException invalid(String msg) {
        return new CryptoException(CryptoException.Reason.HEADER_FIELD_INVALID, "invalid encrypted model header: " + msg);
    }

    @Override
    public String toString() {
        return "ModelEnvelopeHeader[model=" + modelId + ", keyVersion=" + keyVersion + ", segmentSize=" + segmentSize
                + ", plaintextLength=" + plaintextLength + "]";
    }
}
