package org.sesemi.crypto;

/** A request or response envelope: its sealed payload inline ({@link RequestEnvelope}) or by reference ({@link ReferenceEnvelope}). */
public sealed interface Envelope permits RequestEnvelope, ReferenceEnvelope {
    ModelId model();

    PrincipalId user();

    String requestId();
}
