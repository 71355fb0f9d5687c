package org.sesemi.protocol.envelope;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.sesemi.crypto.CryptoException;
import org.sesemi.protocol.envelope.EnvelopeJson;
import org.sesemi.crypto.ModelId;
import org.sesemi.crypto.PrincipalId;
import org.sesemi.crypto.RequestEnvelope;

/**
 * A fast path in front of {@link EnvelopeJson} for the common, canonical envelope: a flat JSON object of four string
 * fields without escape sequences (and, optionally, {@code "answerByRef":true,} written just before the last field). It avoids Jackson's per-character string handling and the intermediate String of
 * a multi-megabyte base64 payload, which on small models cost more than the inference. Anything it does not
 * recognise — escapes, other fields, duplicates, non-string values, trailing bytes, bad base64 — is handed to
 * {@link EnvelopeJson#parse}, so both accept exactly the same envelopes and the errors are the reference parser's
 * (a property test checks the equivalence). {@link #write} produces exactly {@link EnvelopeJson#write}'s bytes.
 */
public final class FastEnvelopeJson {
    private FastEnvelopeJson() {}

    private static final byte[] K_MODEL = ascii("model"), K_USER = ascii("user"), K_REQ = ascii("requestId"), K_PAYLOAD = ascii("payload");
    /** The optional hint in its canonical place and form (as {@link EnvelopeJson#write} puts it): just before the last field. */
    private static final byte[] K_ANSWER_BY_REF = ascii("\"answerByRef\":true,");

    public static RequestEnvelope parse(byte[] json, int maxBytes) {
        if (json.length > maxBytes) {
            return EnvelopeJson.parse(json, maxBytes); // the reference error (TOO_LARGE)
        }
        RequestEnvelope e = tryFast(json);
        return e != null ? e : EnvelopeJson.parse(json, maxBytes);
    }

    /**
     * As {@link #parse}, also accepting an envelope whose payload is stored by reference ({@code "payloadRef"}; small,
     * so the reference parser reads it).
     */
    public static org.sesemi.crypto.Envelope parseAny(byte[] json, int maxBytes) {
        if (json.length > maxBytes) {
            return EnvelopeJson.parseAny(json, maxBytes);
        }
        RequestEnvelope e = tryFast(json);
        return e != null ? e : EnvelopeJson.parseAny(json, maxBytes);
    }

    /** Null when the input is not in the simple canonical form (the caller falls back). */
    private static RequestEnvelope tryFast(byte[] b) {
        int n = b.length;
        int i = ws(b, 0);
        if (i >= n || b[i] != '{') {
            return null;
        }
        i++;
        int[] start = new int[4], end = new int[4];
        boolean[] seen = new boolean[4];
        boolean answerByRef = false;
        for (int field = 0; field < 4; field++) {
            i = ws(b, i);
            if (field == 3 && i + K_ANSWER_BY_REF.length <= n && java.util.Arrays.equals(b, i, i + K_ANSWER_BY_REF.length, K_ANSWER_BY_REF, 0, K_ANSWER_BY_REF.length)) {
                answerByRef = true;
                i = ws(b, i + K_ANSWER_BY_REF.length);
            }
            int ks = i + 1;
            int ke = str(b, i);
            if (ke < 0) {
                return null;
            }
            int which = key(b, ks, ke);
            if (which < 0 || seen[which]) {
                return null;
            }
            seen[which] = true;
            i = ws(b, ke + 1);
            if (i >= n || b[i] != ':') {
                return null;
            }
            i = ws(b, i + 1);
            // The last field of the canonical form is the (large) payload: its closing quote is the last one before
            // the final '}', so it need not be scanned; a stray quote or escape inside fails base64 decoding below
            // and the reference parser decides.
            int ve = field == 3 && which == 3 ? lastQuote(b, i) : str(b, i);
            if (ve < 0) {
                return null;
            }
            start[which] = i + 1;
            end[which] = ve;
            i = ws(b, ve + 1);
            if (i >= n) {
                return null;
            }
            if (field < 3) {
                if (b[i] != ',') {
                    return null;
                }
                i++;
            } else if (b[i] != '}') {
                return null;
            }
        }
        if (ws(b, i + 1) != n) {
            return null;
        }
        byte[] payload;
        try {
            ByteBuffer d = Base64.getDecoder().decode(ByteBuffer.wrap(b, start[3], end[3] - start[3]));
            payload = d.remaining() == d.array().length ? d.array() : java.util.Arrays.copyOf(d.array(), d.remaining());
        } catch (IllegalArgumentException e) {
            return null;
        }
        try {
            String model = new String(b, start[0], end[0] - start[0], StandardCharsets.UTF_8);
            String user = new String(b, start[1], end[1] - start[1], StandardCharsets.UTF_8);
            String req = new String(b, start[2], end[2] - start[2], StandardCharsets.UTF_8);
            return new RequestEnvelope(ModelId.parse(model), PrincipalId.parse(user), req, payload, answerByRef);
        } catch (CryptoException e) {
            return null;
        }
    }

    /** For the last field: b[i] must be '"'; the closing quote is the last '"' before the final '}' (or -1). */
    private static int lastQuote(byte[] b, int i) {
        if (i >= b.length || b[i] != '"') {
            return -1;
        }
        int j = b.length - 1;
        while (j > i && (b[j] == ' ' || b[j] == '\n' || b[j] == '\r' || b[j] == '\t')) {
            j--;
        }
        if (j <= i || b[j] != '}') {
            return -1;
        }
        j--;
        while (j > i && (b[j] == ' ' || b[j] == '\n' || b[j] == '\r' || b[j] == '\t')) {
            j--;
        }
        return j > i && b[j] == '"' ? j : -1;
    }

    private static int ws(byte[] b, int i) {
        while (i < b.length && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t')) {
            i++;
        }
        return i;
    }

    /** b[i] must be '"'; returns the index of the closing quote, or -1 on escapes, control or non-ASCII bytes. */
    private static int str(byte[] b, int i) {
        if (i >= b.length || b[i] != '"') {
            return -1;
        }
        for (int j = i + 1; j < b.length; j++) {
            byte c = b[j];
            if (c == '"') {
                return j;
            }
            if (c == '\\' || (c & 0xff) < 0x20 || c < 0) {
                return -1;
            }
        }
        return -1;
    }

    private static int key(byte[] b, int s, int e) {
        if (eq(b, s, e, K_MODEL)) return 0;
        if (eq(b, s, e, K_USER)) return 1;
        if (eq(b, s, e, K_REQ)) return 2;
        if (eq(b, s, e, K_PAYLOAD)) return 3;
        return -1;
    }

    private static boolean eq(byte[] b, int s, int e, byte[] k) {
        return e - s == k.length && java.util.Arrays.equals(b, s, e, k, 0, k.length);
    }

    /** Byte-for-byte what {@link EnvelopeJson#write} produces (its fields never need escaping), without the detour through a String. */
    public static byte[] write(RequestEnvelope e) {
        byte[] head = ("{\"model\":\"" + e.model() + "\",\"user\":\"" + e.user().hex() + "\",\"requestId\":\"" + e.requestId()
                + (e.answerByRef() ? "\",\"answerByRef\":true,\"payload\":\"" : "\",\"payload\":\"")).getBytes(StandardCharsets.US_ASCII);
        byte[] b64 = Base64.getEncoder().encode(e.payload());
        byte[] out = new byte[head.length + b64.length + 2];
        System.arraycopy(head, 0, out, 0, head.length);
        System.arraycopy(b64, 0, out, head.length, b64.length);
        out[out.length - 2] = '"';
        out[out.length - 1] = '}';
        return out;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
