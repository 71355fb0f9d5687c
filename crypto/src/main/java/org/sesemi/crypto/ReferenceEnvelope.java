package org.sesemi.crypto;

import java.util.Objects;

/**
 * An envelope whose sealed payload lies in the object store instead of in the envelope (it would exceed the platform's
 * payload limit). JSON form: {@code {"model":…,"user":…,"requestId":…,"payloadRef":"<PayloadRef wire form>"}}. The
 * reference's name and length are bound into the payload's AAD ({@link RequestCipher#sealRequestByReference}), so a
 * host that swaps the reference or the object is detected.
 */
public record ReferenceEnvelope(ModelId model, PrincipalId user, String requestId, PayloadRef ref) implements Envelope {
    public ReferenceEnvelope {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(ref, "ref");
        RequestEnvelope.checkRequestId(requestId);
    }
}
