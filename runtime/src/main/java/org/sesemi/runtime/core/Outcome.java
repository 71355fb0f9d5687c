package org.sesemi.runtime.core;

import org.sesemi.protocol.envelope.Timing;

import org.sesemi.protocol.envelope.FastEnvelopeJson;

import java.util.Optional;

/** What the trusted core hands back to the host: an encrypted response envelope, or a non-secret rejection. */
public sealed interface Outcome {
    /** Optional timing metadata (present when enabled in {@link CoreConfig#timing()}). */
    Optional<Timing> timing();

    /**
     * The sealed response envelope. It may carry an inference result or an OIP error — only the user can tell.
     *
     * @param envelopeBytes the response envelope in the request's form, ready to send (not copied: do not modify)
     * @param binary the request came in the binary envelope form, so the answer is in it too; else it is JSON
     * @param oipStatus the HTTP status OIP gives this answer: 200 for a result or metadata, 400 when the sealed body is
     *     an OIP error about the request (bad OIP JSON, unknown tensor, wrong datatype or shape), 500 for an engine
     *     failure. Hosts whose transport carries a status (Knative) send it; it tells the host only that the request
     *     failed, which it would otherwise learn from the short answer anyway.
     */
    record Sealed(byte[] envelopeBytes, boolean binary, Optional<Timing> timing, int oipStatus) implements Outcome {
        /** A successful answer (status 200). */
        public Sealed(byte[] envelopeBytes, boolean binary, Optional<Timing> timing) {
            this(envelopeBytes, binary, timing, 200);
        }

        /** The response as a JSON envelope (whatever the request's form). */
        public byte[] envelopeJson() {
            return binary ? FastEnvelopeJson.write(envelope()) : envelopeBytes;
        }

        /** The response envelope's fields (parsed from {@link #envelopeBytes}). */
        public org.sesemi.crypto.RequestEnvelope envelope() {
            return binary ? org.sesemi.protocol.envelope.BinaryEnvelope.parse(envelopeBytes, Integer.MAX_VALUE)
                    : FastEnvelopeJson.parse(envelopeBytes, Integer.MAX_VALUE);
        }
    }

    /**
     * No encrypted answer is possible (or needed).
     *
     * @param reason finer stable code, e.g. the KeyService's denial reason ({@code no_grant}); equals the code's wire name otherwise
     * @param message safe to show and log: never keys, inputs, outputs or model bytes
     */
    record Rejected(ErrorCode code, String reason, String message, Optional<Timing> timing) implements Outcome {}
}
