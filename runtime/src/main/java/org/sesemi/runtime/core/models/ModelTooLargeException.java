package org.sesemi.runtime.core.models;

/** A model whose charge exceeds the whole memory budget: it can never be loaded with this configuration. */
public final class ModelTooLargeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ModelTooLargeException(String message) {
        super(message);
    }
}
