package org.sesemi.http;

/** Bounds of the layer's body handling. */
final class BodyPolicy {
    /** A chunked body over its limit is read on (and discarded) up to this much, to report its size. */
    static final long COUNT_BEYOND_LIMIT = 8L << 20;
    /** After refusing a body, at most this much of it is read and discarded by default (see {@link Drain}). */
    static final long DEFAULT_DRAIN = 8L << 20;

    private BodyPolicy() {}
}
