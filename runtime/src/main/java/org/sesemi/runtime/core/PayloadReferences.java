package org.sesemi.runtime.core;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.NoSuchFileException;
import java.util.List;
import java.util.Optional;
import org.sesemi.client.inference.PayloadStore;
import org.sesemi.crypto.CryptoException;
import org.sesemi.protocol.envelope.EnvelopeJson;
import org.sesemi.crypto.PayloadRef;
import org.sesemi.crypto.ReferenceEnvelope;
import org.sesemi.crypto.RequestCipher;

/**
 * Sealed payloads that travel through the model store's payload area instead of inside the envelope
 * ({@code docs/protocol.md}, "Payloads by reference"). A referenced request object is read once (bounded by the
 * envelope limit, before anything is allocated for it), deleted, and checked against its reference (length, SHA-256);
 * the AEAD then checks that it was sealed for this reference. A large answer is written under a fresh unguessable name
 * and returned as a reference; the client deletes it after reading. Only ciphertext passes through here. A referenced
 * payload that cannot be used is a {@link RefusedException} with a stable code and reason.
 */
final class PayloadReferences {
    private PayloadReferences() {}

    /** The request with its referenced payload read from the store into {@code buf}; the object is deleted. */
    static EnclaveRuntime.Request read(EnclaveRuntime.Request env, Optional<PayloadStore> store, int maxBytes) {
        PayloadRef ref = env.byRef().ref();
        if (store.isEmpty()) {
            throw new RefusedException(ErrorCode.UNAVAILABLE, "payload_store_unsupported", "the request's payload is stored by reference, "
                    + "but this runtime's model store has no payload area");
        }
        if (ref.length() > maxBytes) {
            throw new RefusedException(ErrorCode.TOO_LARGE, "payload_too_large", "the referenced payload has " + ref.length()
                    + " bytes, limit " + maxBytes);
        }
        PayloadStore s = store.get();
        byte[] object;
        try {
            try {
                object = s.get(ref.name(), ref.length());
            } finally {
                s.delete(ref.name()); // read at most once, whatever follows
            }
        } catch (NoSuchFileException e) {
            throw new RefusedException(ErrorCode.UNAVAILABLE, "payload_not_found", "the request's payload object " + ref.name() + " is not in "
                    + s.describe() + " (never written, or already used)");
        } catch (IOException e) {
            throw new RefusedException(ErrorCode.UNAVAILABLE, "payload_store_unavailable", "cannot read the request's payload from "
                    + s.describe() + ": " + e.getClass().getSimpleName());
        }
        try {
            ref.verify(object);
        } catch (CryptoException e) {
            String reason = switch (e.reason()) {
                case TRUNCATED -> "payload_truncated";
                case TRAILING_DATA -> "payload_oversized";
                default -> "payload_swapped";
            };
            throw new RefusedException(ErrorCode.AUTHENTICATION_FAILED, reason, e.getMessage());
        }
        return new EnclaveRuntime.Request(env.model(), env.user(), env.requestId(), object, 0, object.length, env.byRef(), true);
    }

    /** Seals {@code answer} into a new payload object and returns the JSON reference envelope to send instead. */
    static byte[] write(RequestCipher cipher, EnclaveRuntime.Request env, List<ByteBuffer> answer, PayloadStore store) {
        RequestCipher.ByReference sealed = cipher.sealResponseByReference(env.model(), env.user(), env.requestId(), answer, PayloadRef.newName());
        try {
            store.put(sealed.envelope().ref().name(), sealed.object());
        } catch (IOException e) {
            throw new RefusedException(ErrorCode.UNAVAILABLE, "payload_store_unavailable", "cannot write the answer's payload to "
                    + store.describe() + ": " + e.getClass().getSimpleName());
        }
        return EnvelopeJson.write((ReferenceEnvelope) sealed.envelope());
    }
}
