package org.sesemi.runtime.core;

import java.util.Optional;

/** What the trusted core hands back to the host: an encrypted response envelope, or a non-secret rejection. */
public sealed interface Outcome {
    /** Optional timing metadata (present when enabled in {@link CoreConfig#timing()}). */
    Optional<Timing> timing();

    /**
     * The sealed response envelope. It may carry an inference result or an OIP error — only the user can tell.
     *
     * @param binary the request came in the binary envelope form, so the answer goes back in it too
     */
    record Sealed(org.sesemi.crypto.RequestEnvelope envelope, boolean binary, Optional<Timing> timing) implements Outcome {
        /** The response in the request's form: binary envelope or JSON envelope. */
        public byte[] envelopeBytes() {
            return binary ? org.sesemi.client.inference.BinaryEnvelope.write(envelope) : FastEnvelopeJson.write(envelope);
        }

        /** The response as a JSON envelope (whatever the request's form). */
        public byte[] envelopeJson() {
            return FastEnvelopeJson.write(envelope);
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
