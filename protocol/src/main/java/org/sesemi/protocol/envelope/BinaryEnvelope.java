package org.sesemi.protocol.envelope;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.sesemi.crypto.CryptoException;
import org.sesemi.crypto.ModelId;
import org.sesemi.crypto.PrincipalId;
import org.sesemi.crypto.RequestEnvelope;

/**
 * The binary form of a request/response envelope, for large tensors where base64 inside JSON costs more than the
 * cryptography (about 5 ms per 5 MB each way on a 2-core VM). Same fields, same AEAD payload, no base64:
 *
 * <pre>
 * "SSEB" ‖ u8 version = 1 ‖ u8 flags = 0 ‖ u16 len ‖ model ‖ u16 len ‖ user ‖ u16 len ‖ requestId ‖ u32 len ‖ payload
 * </pre>
 * Lengths are big-endian, strings UTF-8; nothing may follow the payload. HTTP content type {@link #CONTENT_TYPE}.
 * Accepted by the Knative entrypoint (OpenWhisk carries JSON only). Stateless and thread-safe.
 */
public final class BinaryEnvelope {
    public static final String CONTENT_TYPE = "application/vnd.sesemi.envelope";
    private static final byte[] MAGIC = {'S', 'S', 'E', 'B'};
    private static final int VERSION = 1;

    private BinaryEnvelope() {}

    /** True if {@code b} starts with the binary envelope magic (a JSON envelope starts with '{' or whitespace). */
    public static boolean isBinary(byte[] b) {
        return b.length >= 4 && Arrays.equals(b, 0, 4, MAGIC, 0, 4);
    }

    /** Encodes {@code e} in the binary form (magic, fields, payload) for {@code Content-Type: application/vnd.sesemi.envelope}. */
    public static byte[] write(RequestEnvelope e) {
        Frame f = frame(e.model(), e.user(), e.requestId(), e.payload().length);
        System.arraycopy(e.payload(), 0, f.bytes(), f.payloadOffset(), e.payload().length);
        return f.bytes();
    }

    /** A binary envelope whose fields are written and whose payload, {@code bytes.length - payloadOffset} bytes, is not yet. */
    public record Frame(byte[] bytes, int payloadOffset) {}

    /**
     * The envelope for these fields with room for a payload of {@code payloadLength} bytes: a producer writes the
     * payload straight into it (e.g. {@code RequestCipher.sealResponseInto}), so a large payload is not copied again.
     */
    public static Frame frame(ModelId model, PrincipalId user, String requestId, int payloadLength) {
        byte[] m = model.toString().getBytes(StandardCharsets.UTF_8);
        byte[] u = user.hex().getBytes(StandardCharsets.UTF_8);
        byte[] r = requestId.getBytes(StandardCharsets.UTF_8);
        int header = 6 + 2 + m.length + 2 + u.length + 2 + r.length + 4;
        if (payloadLength < 0 || payloadLength > Integer.MAX_VALUE - 8 - header) {
            throw new CryptoException(CryptoException.Reason.TOO_LARGE, "payload of " + payloadLength + " bytes does not fit a binary envelope");
        }
        ByteBuffer b = ByteBuffer.allocate(header + payloadLength);
        b.put(MAGIC).put((byte) VERSION).put((byte) 0);
        b.putShort((short) m.length).put(m).putShort((short) u.length).put(u).putShort((short) r.length).put(r);
        b.putInt(payloadLength);
        return new Frame(b.array(), header);
    }

    /**
     * @throws CryptoException TOO_LARGE above {@code maxBytes}; MALFORMED for anything that is not a valid envelope
     */
    public static RequestEnvelope parse(byte[] b, int maxBytes) {
        Located l = locate(b, maxBytes);
        byte[] payload = Arrays.copyOfRange(b, l.payloadOffset(), l.payloadOffset() + l.payloadLength());
        return new RequestEnvelope(l.model(), l.user(), l.requestId(), payload);
    }

    /**
     * An envelope whose payload was located, not copied: it is {@code payloadLength} bytes at {@code payloadOffset}
     * of the array given to {@link #locate}. Fields are validated exactly as for {@link RequestEnvelope}.
     */
    public record Located(ModelId model, PrincipalId user, String requestId, int payloadOffset, int payloadLength) {}

    /**
     * As {@link #parse} (same checks, same errors) without copying the payload out of {@code b}: for the trusted core,
     * where payloads of several megabytes are decrypted straight from the received bytes.
     */
    public static Located locate(byte[] b, int maxBytes) {
        if (b.length > maxBytes) {
            throw new CryptoException(CryptoException.Reason.TOO_LARGE, "envelope is " + b.length + " bytes, limit " + maxBytes);
        }
        ByteBuffer in = ByteBuffer.wrap(b);
        if (!isBinary(b) || b.length < 6) {
            throw malformed("bad magic");
        }
        in.position(4);
        int version = in.get() & 0xff;
        if (version != VERSION || in.get() != 0) {
            throw malformed("unsupported version or flags");
        }
        String model = string(in, "model");
        String user = string(in, "user");
        String requestId = string(in, "requestId");
        if (in.remaining() < 4) {
            throw malformed("truncated before the payload length");
        }
        int n = in.getInt();
        if (n < 0 || n != in.remaining()) {
            throw malformed("payload length " + Integer.toUnsignedString(n) + " does not match the " + in.remaining() + " bytes that follow");
        }
        ModelId m = ModelId.parse(model);
        PrincipalId u = PrincipalId.parse(user);
        // RequestEnvelope holds the rules for requestId and the minimum payload; a 28-byte stand-in applies them here.
        if (n < RequestEnvelope.MIN_PAYLOAD) {
            new RequestEnvelope(m, u, requestId, new byte[n]);
        }
        new RequestEnvelope(m, u, requestId, new byte[RequestEnvelope.MIN_PAYLOAD]);
        return new Located(m, u, requestId, in.position(), n);
    }

    private static String string(ByteBuffer in, String what) {
        if (in.remaining() < 2) {
            throw malformed("truncated before " + what);
        }
        int n = in.getShort() & 0xffff;
        if (n > in.remaining() || n > 512) {
            throw malformed(what + " length out of range");
        }
        byte[] s = new byte[n];
        in.get(s);
        return new String(s, StandardCharsets.UTF_8);
    }

    private static CryptoException malformed(String msg) {
        return new CryptoException(CryptoException.Reason.MALFORMED, "malformed binary envelope: " + msg);
    }
}
