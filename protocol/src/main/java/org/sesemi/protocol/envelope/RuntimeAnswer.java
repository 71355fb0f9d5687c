package org.sesemi.protocol.envelope;

import java.util.Map;
import java.util.Optional;
import org.sesemi.crypto.CryptoException;
import org.sesemi.crypto.Envelope;

/**
 * What a runtime (directly, or through the platform or the gateway) answers a JSON request envelope with, read in one
 * pass: a sealed response envelope (its payload inline or by reference, with the runtime's optional {@code timing}
 * member next to the envelope's fields), a rejection {@code {"error":{"code","reason","message"}}} (or OpenWhisk's
 * {@code {"error":"text"}}), or a platform's {@code {"activationId":...}} for a request it did not finish in time.
 * The envelope's fields are held to exactly {@link EnvelopeJson}'s rules. Stateless and thread-safe.
 */
public sealed interface RuntimeAnswer {
    /** A sealed answer, and the runtime's non-secret timing if it sent one (ms per phase, {@code cold} as 1/0). */
    record Sealed(Envelope envelope, Optional<Map<String, Double>> timing) implements RuntimeAnswer {}

    /**
     * A refusal, as the runtime, the platform or the gateway sent it (text only; no secret ever travels here): the
     * members of {@code {"error":{"code","reason","message"}}} ({@code code} "error" and the others "" where missing),
     * or for {@code {"error":"text"}} code and reason "error" and the text as the message.
     */
    record Rejected(String code, String reason, String message) implements RuntimeAnswer {}

    /** The platform took the request as an activation but did not finish it within its blocking wait. */
    record Accepted(String activationId) implements RuntimeAnswer {}

    /** Not a JSON object at all; {@code problem} is a fixed phrase. */
    record NotJson(String problem) implements RuntimeAnswer {}

    /**
     * Reads an answer.
     *
     * @throws CryptoException MALFORMED when it is neither a rejection nor an accepted activation and its fields are not
     *     a valid envelope (as {@link EnvelopeJson#parseAny} would say)
     */
    static RuntimeAnswer read(byte[] body) {
        return RuntimeAnswerReader.read(body);
    }

    /** The {@code Sesemi-Timing} header next to a binary answer (empty when it is not a JSON object of numbers). */
    static Map<String, Double> timingHeader(String json) {
        return RuntimeAnswerReader.timingHeader(json);
    }
}
