package org.sesemi.keyservice.core;

import java.util.Optional;
import org.sesemi.protocol.keyservice.ErrorReason;
import org.sesemi.crypto.ModelId;

/**
 * The KeyService's access rules as pure functions of the caller and the stored facts, so they can be tested
 * exhaustively and by properties without a server.
 *
 * <ul>
 *   <li>Only principals write; only registered principals write.
 *   <li>Model keys and grants of model {@code O/N} are written (and grants listed) by principal {@code O} only.
 *   <li>A request key for (model, measurement) belongs to the calling user; anyone registered may store their own.
 *   <li>A release of (user U, model X) goes to runtimes only, and only when a grant (X, U, S) exists whose S — the
 *       runtime's attested measurement, or a signer / register rule its verified quote satisfies — admits it, U stored
 *       a request key for (X, S), and X has the model key version asked for (not retired).
 * </ul>
 */
public final class AccessPolicy {
    private AccessPolicy() {}

    /** Facts the store holds about one release request (read in one snapshot). */
    public record ReleaseFacts(boolean modelKnown, boolean granted, boolean hasRequestKey, boolean hasModelKey, boolean keyRetired) {
        public ReleaseFacts(boolean modelKnown, boolean granted, boolean hasRequestKey, boolean hasModelKey) {
            this(modelKnown, granted, hasRequestKey, hasModelKey, false);
        }
    }

    /** Empty = release; otherwise the denial reason, checked in a fixed order so the answer is deterministic. */
    public static Optional<ErrorReason> release(Caller caller, ReleaseFacts f) {
        if (!(caller instanceof Caller.Runtime)) {
            return Optional.of(ErrorReason.ATTESTATION_REJECTED);
        }
        if (!f.modelKnown()) {
            return Optional.of(ErrorReason.UNKNOWN_MODEL);
        }
        if (!f.granted()) {
            return Optional.of(ErrorReason.NO_GRANT);
        }
        if (!f.hasRequestKey()) {
            return Optional.of(ErrorReason.NO_REQUEST_KEY);
        }
        if (!f.hasModelKey()) {
            return Optional.of(f.keyRetired() ? ErrorReason.KEY_RETIRED : ErrorReason.NO_MODEL_KEY);
        }
        return Optional.empty();
    }

    /** May {@code caller} write the key or grants of {@code model}, or list its grants? */
    public static Optional<ErrorReason> ownerAction(Caller caller, boolean registered, ModelId model) {
        return switch (caller) {
            case Caller.Runtime r -> Optional.of(ErrorReason.FORBIDDEN);
            case Caller.Principal p when !registered -> Optional.of(ErrorReason.FORBIDDEN);
            case Caller.Principal p when !p.id().equals(model.owner()) -> Optional.of(ErrorReason.FORBIDDEN);
            case Caller.Principal p -> Optional.empty();
        };
    }

    /** May {@code caller} store or delete its own request keys / read its audit view? */
    public static Optional<ErrorReason> principalAction(Caller caller, boolean registered) {
        return switch (caller) {
            case Caller.Runtime r -> Optional.of(ErrorReason.FORBIDDEN);
            case Caller.Principal p when !registered -> Optional.of(ErrorReason.FORBIDDEN);
            case Caller.Principal p -> Optional.empty();
        };
    }
}
