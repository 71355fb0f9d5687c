package org.sesemi.crypto;

import java.nio.charset.StandardCharsets;

/** Which way an envelope travels; bound into the AAD so a response can never be replayed as a request. */
public enum Direction {
    REQUEST("sesemi-request-v1"),
    RESPONSE("sesemi-response-v1");

    private final byte[] label;

    Direction(String label) {
        this.label = label.getBytes(StandardCharsets.US_ASCII);
    }

    byte[] label() {
        return label.clone();
    }
}
