package org.sesemi.runtime.core;

import java.util.Objects;

/**
 * The core refuses a request for a reason of the action protocol's error vocabulary ({@code docs/protocol.md},
 * "Errors"; {@code docs/runtime.md} §5): a {@link ErrorCode} and a finer stable reason (the KeyService's denial reason,
 * {@code key_fetch_limited}, {@code keyservice_rate_limited}, ...). {@link EnclaveRuntime#handle} turns it into an
 * {@link Outcome.Rejected} with exactly these three parts. One class for every refusal that carries nothing else: the
 * code and reason say what happened, so callers branch on them, not on exception types.
 *
 * <p>The message is host-visible (logs, the HTTP body): never keys, inputs, outputs or model bytes.
 */
public final class RefusedException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final ErrorCode code;
    private final String reason;

    public RefusedException(ErrorCode code, String reason, String message, Throwable cause) {
        super(message, cause);
        this.code = Objects.requireNonNull(code, "code");
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public RefusedException(ErrorCode code, String reason, String message) {
        this(code, reason, message, null);
    }

    /** The key holder refused to release keys; {@code reason} is its stable code ({@code no_grant}, {@code key_retired}, ...). */
    public static RefusedException denied(String reason, String message) {
        return new RefusedException(ErrorCode.DENIED, reason, message);
    }

    /** At the concurrency limit with a full queue, or the model budget held by models in use: retry later. */
    public static RefusedException busy(String message) {
        return new RefusedException(ErrorCode.BUSY, "busy", message);
    }

    /**
     * The key holder or a store could not be reached, answered something unusable, or refused this runtime's pace;
     * retrying later may help ({@code keyservice_unavailable}, {@code keyservice_rate_limited}, {@code key_fetch_limited}).
     */
    public static RefusedException unavailable(String reason, String message, Throwable cause) {
        return new RefusedException(ErrorCode.UNAVAILABLE, reason, message, cause);
    }

    /** A model whose charge exceeds the whole memory budget: it can never be loaded with this configuration. */
    public static RefusedException modelTooLarge(String message) {
        return new RefusedException(ErrorCode.MODEL_TOO_LARGE, "model_too_large", message);
    }

    public ErrorCode code() {
        return code;
    }

    /** The stable reason; equals {@link ErrorCode#wire()} unless the cause is finer. */
    public String reason() {
        return reason;
    }

    /** Whether this is the key holder's denial with this reason. */
    public boolean isDenial(String why) {
        return code == ErrorCode.DENIED && reason.equals(why);
    }
}
