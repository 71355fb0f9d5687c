package org.sesemi.runtime.core.engine;

/** ONNX Runtime failed to load a model or run it (not a problem of the request's shape or types). */
public final class EngineException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public EngineException(String message) {
        super(message);
    }
}
