package org.sesemi.crypto;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Encrypts and decrypts request/response payloads under one user's {@link RequestKey}.
 *
 * <p>AES-256-GCM, a fresh random 96-bit nonce per message, and AAD =
 * {@code label(direction) ‖ u16 len ‖ model ‖ u16 len ‖ user ‖ u16 len ‖ requestId} (UTF-8, big-endian lengths), so a
 * payload cannot be moved to another model, user, request or direction. Thread-safe.
 */
public final class RequestCipher {
    private final RequestKey key;
    private final CryptoProvider provider;

    /** With the JDK's provider: what users' clients need (small payloads, no native library to load). */
    public RequestCipher(RequestKey key) {
        this(key, CryptoProvider.jdk());
    }

    /**
     * With {@code provider}'s AES-GCM: the trusted core passes {@link CryptoProvider#preferNative()}, which decrypts a
     * multi-megabyte payload about 3× faster than the JDK once loaded ({@code docs/benchmarks.md}). Same bytes either way.
     */
    public RequestCipher(RequestKey key, CryptoProvider provider) {
        this.key = key;
        this.provider = provider;
    }

    /** Encrypts a plaintext request (e.g. an Open Inference Protocol body). */
    public RequestEnvelope sealRequest(ModelId model, PrincipalId user, String requestId, byte[] plaintext) {
        return seal(Direction.REQUEST, model, user, requestId, plaintext, randomNonce());
    }

    /** Encrypts the response to {@code request}, bound to the same model, user and request id. */
    public RequestEnvelope sealResponse(RequestEnvelope request, byte[] plaintext) {
        return seal(Direction.RESPONSE, request.model(), request.user(), request.requestId(), plaintext, randomNonce());
    }

    /**
     * As {@link #sealResponse(RequestEnvelope, byte[])} for a plaintext given as consecutive parts (e.g. an OIP JSON
     * header followed by tensor buffers): the envelope is byte-for-byte what sealing their concatenation gives, but the
     * parts are encrypted straight into the payload, so no concatenated plaintext copy is made. Parts are not consumed.
     */
    public RequestEnvelope sealResponse(RequestEnvelope request, java.util.List<java.nio.ByteBuffer> parts) {
        return sealResponse(request.model(), request.user(), request.requestId(), parts);
    }

    /** As {@link #sealResponse(RequestEnvelope, java.util.List)}, for a request known by its routing fields. */
    public RequestEnvelope sealResponse(ModelId model, PrincipalId user, String requestId, java.util.List<java.nio.ByteBuffer> parts) {
        byte[] payload = new byte[sealedLength(parts)];
        sealResponseInto(model, user, requestId, parts, payload, 0);
        return new RequestEnvelope(model, user, requestId, payload);
    }

    /**
     * As {@link #sealResponse(ModelId, PrincipalId, String, java.util.List)}, writing the payload (nonce ‖ ciphertext
     * ‖ tag, {@link #sealedLength} bytes) into {@code out} at {@code off}: e.g. straight into the frame of a binary
     * envelope, so a large response is not copied once more after sealing.
     */
    public void sealResponseInto(ModelId model, PrincipalId user, String requestId, java.util.List<java.nio.ByteBuffer> parts, byte[] out,
            int off) {
        int n = sealedLength(parts);
        java.util.Objects.checkFromIndexSize(off, n, out.length);
        byte[] nonce = randomNonce();
        System.arraycopy(nonce, 0, out, off, AesGcm.NONCE_BYTES);
        AesGcm.encryptParts(provider, key.bytes().aesKey(), nonce, aad(Direction.RESPONSE, model, user, requestId), parts, out,
                off + AesGcm.NONCE_BYTES);
    }

    /** The payload length (nonce ‖ ciphertext ‖ tag) that sealing the concatenation of {@code parts} produces. */
    public static int sealedLength(java.util.List<java.nio.ByteBuffer> parts) {
        long total = AesGcm.NONCE_BYTES + AesGcm.TAG_BYTES;
        for (java.nio.ByteBuffer b : parts) {
            total += b.remaining();
        }
        if (total > Integer.MAX_VALUE - 8) {
            throw new CryptoException(CryptoException.Reason.TOO_LARGE, "response of " + total + " bytes is too large to seal");
        }
        return (int) total;
    }

    /** The plaintext length of a request or response whose payload (nonce ‖ ciphertext ‖ tag) has {@code payloadLength} bytes. */
    public static int plaintextLength(int payloadLength) {
        return Math.max(0, payloadLength - RequestEnvelope.MIN_PAYLOAD);
    }

    public byte[] openRequest(RequestEnvelope envelope) {
        return open(Direction.REQUEST, envelope);
    }

    /**
     * As {@link #openRequest(RequestEnvelope)} for a payload (nonce ‖ ciphertext ‖ tag) lying at {@code off} in a larger
     * buffer — e.g. inside a binary envelope as received, so it need not be copied out first — decrypted into {@code out}
     * from index 0 (it must hold {@link #plaintextLength}{@code (len)} bytes) instead of a fresh array: for a reused
     * buffer that the caller wipes after use. Same checks, same errors; on failure {@code out} holds no plaintext.
     *
     * @return the plaintext length
     */
    public int openRequestInto(ModelId model, PrincipalId user, String requestId, byte[] buf, int off, int len, byte[] out) {
        checkPayload(buf, off, len);
        byte[] nonce = Arrays.copyOfRange(buf, off, off + AesGcm.NONCE_BYTES);
        try {
            return AesGcm.decrypt(provider, key.bytes().aesKey(), nonce, aad(Direction.REQUEST, model, user, requestId), buf,
                    off + AesGcm.NONCE_BYTES, len - AesGcm.NONCE_BYTES, out, 0);
        } catch (CryptoException ex) {
            throw doesNotDecrypt(Direction.REQUEST);
        }
    }

    private static void checkPayload(byte[] buf, int off, int len) {
        java.util.Objects.checkFromIndexSize(off, len, buf.length);
        if (len < RequestEnvelope.MIN_PAYLOAD) {
            throw new CryptoException(CryptoException.Reason.MALFORMED, "payload must hold at least a 12-byte nonce and a 16-byte tag");
        }
    }

    public byte[] openResponse(RequestEnvelope envelope) {
        return open(Direction.RESPONSE, envelope);
    }

    /** Visible for known-answer tests only: encryption with a caller-chosen nonce. */
    RequestEnvelope seal(Direction d, ModelId model, PrincipalId user, String requestId, byte[] plaintext, byte[] nonce) {
        byte[] aad = aad(d, model, user, requestId);
        // Encrypted in place behind the nonce: one pass over the plaintext, no intermediate ciphertext array.
        byte[] payload = Arrays.copyOf(nonce, AesGcm.NONCE_BYTES + plaintext.length + AesGcm.TAG_BYTES);
        AesGcm.encryptParts(provider, key.bytes().aesKey(), nonce, aad, java.util.List.of(java.nio.ByteBuffer.wrap(plaintext)), payload,
                AesGcm.NONCE_BYTES);
        return new RequestEnvelope(model, user, requestId, payload);
    }

    private byte[] open(Direction d, RequestEnvelope e) {
        return open(d, e.model(), e.user(), e.requestId(), e.payload(), 0, e.payload().length);
    }

    private byte[] open(Direction d, ModelId model, PrincipalId user, String requestId, byte[] p, int off, int len) {
        return open(d, model, user, requestId, p, off, len, aad(d, model, user, requestId));
    }

    private byte[] open(Direction d, ModelId model, PrincipalId user, String requestId, byte[] p, int off, int len, byte[] aad) {
        byte[] nonce = Arrays.copyOfRange(p, off, off + AesGcm.NONCE_BYTES);
        try {
            return AesGcm.decrypt(provider, key.bytes().aesKey(), nonce, aad, p,
                    off + AesGcm.NONCE_BYTES, len - AesGcm.NONCE_BYTES);
        } catch (CryptoException ex) {
            throw doesNotDecrypt(d);
        }
    }

    /** A payload sealed for the object store, and the envelope that references it. */
    public record ByReference(ReferenceEnvelope envelope, byte[] object) {}

    /**
     * Encrypts a plaintext request to be stored as object {@code name} ({@link PayloadRef#newName()}) instead of
     * travelling inline: the AAD additionally binds the name and the object's length
     * ({@code sesemi-request-ref-v1} label), so the object cannot be moved under another reference, and an inline
     * payload cannot be passed off as a referenced one or back.
     */
    public ByReference sealRequestByReference(ModelId model, PrincipalId user, String requestId, byte[] plaintext, String name) {
        return sealByReference(Direction.REQUEST, model, user, requestId, java.util.List.of(java.nio.ByteBuffer.wrap(plaintext)), name);
    }

    /** As {@link #sealRequestByReference} for a response given as parts (see {@link #sealResponse(ModelId, PrincipalId, String, java.util.List)}). */
    public ByReference sealResponseByReference(ModelId model, PrincipalId user, String requestId, java.util.List<java.nio.ByteBuffer> parts,
            String name) {
        return sealByReference(Direction.RESPONSE, model, user, requestId, parts, name);
    }

    private ByReference sealByReference(Direction d, ModelId model, PrincipalId user, String requestId, java.util.List<java.nio.ByteBuffer> parts,
            String name) {
        int n = sealedLength(parts);
        byte[] object = new byte[n];
        byte[] nonce = randomNonce();
        System.arraycopy(nonce, 0, object, 0, AesGcm.NONCE_BYTES);
        AesGcm.encryptParts(provider, key.bytes().aesKey(), nonce, refAad(d, model, user, requestId, name, n), parts, object, AesGcm.NONCE_BYTES);
        return new ByReference(new ReferenceEnvelope(model, user, requestId, PayloadRef.of(name, object)), object);
    }

    /**
     * Opens a referenced request payload: {@code object} must be exactly what the reference names (length, SHA-256;
     * {@link PayloadRef#verify}) and decrypt under the reference-bound AAD. Decrypts into {@code out} from index 0 (it
     * must hold {@link #plaintextLength} bytes); on failure {@code out} holds no plaintext.
     *
     * @return the plaintext length
     */
    public int openRequestInto(ReferenceEnvelope e, byte[] object, byte[] out) {
        e.ref().verify(object);
        byte[] nonce = Arrays.copyOfRange(object, 0, AesGcm.NONCE_BYTES);
        try {
            return AesGcm.decrypt(provider, key.bytes().aesKey(), nonce, refAad(Direction.REQUEST, e), object, AesGcm.NONCE_BYTES,
                    object.length - AesGcm.NONCE_BYTES, out, 0);
        } catch (CryptoException ex) {
            throw doesNotDecrypt(Direction.REQUEST);
        }
    }

    /** Opens a referenced request payload into a fresh array (see {@link #openRequestInto(ReferenceEnvelope, byte[], byte[])}). */
    public byte[] openRequest(ReferenceEnvelope e, byte[] object) {
        return openReferenced(Direction.REQUEST, e, object);
    }

    /** Opens a referenced response payload (see {@link #openRequestInto(ReferenceEnvelope, byte[], byte[])}). */
    public byte[] openResponse(ReferenceEnvelope e, byte[] object) {
        return openReferenced(Direction.RESPONSE, e, object);
    }

    private byte[] openReferenced(Direction d, ReferenceEnvelope e, byte[] object) {
        e.ref().verify(object);
        return open(d, e.model(), e.user(), e.requestId(), object, 0, object.length, refAad(d, e));
    }

    private static byte[] refAad(Direction d, ReferenceEnvelope e) {
        return refAad(d, e.model(), e.user(), e.requestId(), e.ref().name(), e.ref().length());
    }

    /** {@code "sesemi-request-ref-v1"} or {@code "sesemi-response-ref-v1"} ‖ the inline AAD's fields ‖ u16 len ‖ name ‖ u64 length. */
    static byte[] refAad(Direction d, ModelId model, PrincipalId user, String requestId, String name, long length) {
        byte[] inline = aad(d, model, user, requestId);
        byte[] label = d.label();
        byte[] refLabel = (new String(label, StandardCharsets.US_ASCII).replace("-v1", "-ref-v1")).getBytes(StandardCharsets.US_ASCII);
        byte[] n = name.getBytes(StandardCharsets.US_ASCII);
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(refLabel.length + inline.length - label.length + 2 + n.length + 8);
        b.put(refLabel).put(inline, label.length, inline.length - label.length).putShort((short) n.length).put(n).putLong(length);
        return b.array();
    }

    private static CryptoException doesNotDecrypt(Direction d) {
        return new CryptoException(CryptoException.Reason.AUTHENTICATION_FAILED,
                "the " + d.name().toLowerCase() + " payload does not decrypt: wrong request key, or the envelope was modified");
    }

    static byte[] aad(Direction d, ModelId model, PrincipalId user, String requestId) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(160);
        out.writeBytes(d.label());
        for (String field : new String[] {model.toString(), user.hex(), requestId}) {
            byte[] b = field.getBytes(StandardCharsets.UTF_8);
            out.write(b.length >>> 8);
            out.write(b.length);
            out.writeBytes(b);
        }
        return out.toByteArray();
    }

    static byte[] randomNonce() {
        byte[] n = new byte[AesGcm.NONCE_BYTES];
        SecretKeyBytes.RANDOM.nextBytes(n);
        return n;
    }
}
