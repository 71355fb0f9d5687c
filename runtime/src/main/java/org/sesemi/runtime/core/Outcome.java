package org.sesemi.runtime.core;

import java.util.Optional;

/** What the trusted core hands back to the host: an encrypted response envelope, or a non-secret rejection. */
public sealed interface Outcome {
    /** Optional timing metadata (present when enabled in {@link CoreConfig#timing()}). */
    Optional<Timing> timing();

    /**
     * The sealed response envelope (its JSON form). It may carry an inference result or an OIP error — only the user
     * can tell.
     */
    record Sealed(byte[] envelopeJson, Optional<Timing> timing) implements Outcome {}

    /**
     * No encrypted answer is possible (or needed).
     *
     * @param reason finer stable code, e.g. the KeyService's denial reason ({@code no_grant}); equals the code's wire name otherwise
     * @param message safe to show and log: never keys, inputs, outputs or model bytes
     */
    record Rejected(ErrorCode code, String reason, String message, Optional<Timing> timing) implements Outcome {}
}
