package org.sesemi.runtime.core.engine;

import ai.onnxruntime.OrtException;
import java.util.Locale;

/**
 * ONNX Runtime failed to load a model or to run it (not a problem the runtime's own checks of names, types and shapes
 * caught). Two parts with different audiences:
 *
 * <ul>
 *   <li>{@link #code()} and {@link #getMessage()}: a fixed, documented code and sentence ({@code docs/protocol.md},
 *       "Engine error codes"); nothing derived from the request or the model, so safe for host-visible output
 *       (rejections, logs, HTTP bodies).</li>
 *   <li>{@link #detail()}: ONNX Runtime's own message, which can quote input values, tensor shapes and node names of
 *       the model. It may only travel inside the sealed response to the user who sent the request.</li>
 * </ul>
 */
public final class EngineException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The fixed codes; {@link #wire()} is the documented name. */
    public enum Code {
        /** ONNX Runtime refused the request's values or shapes while running (e.g. an index outside an embedding table, shapes the graph cannot combine). */
        INVALID_INPUT("ONNX Runtime refused the request's inputs"),
        /** Running the graph failed for another reason (a kernel error, out of memory). */
        RUN_FAILED("ONNX Runtime failed while running the model"),
        /** The model produced an output the runtime cannot return (not a tensor, an unsupported element type). */
        UNSUPPORTED_OUTPUT("the model produced an output the runtime cannot return"),
        /** The decrypted bytes are not a loadable ONNX model (bad protobuf, invalid graph). */
        INVALID_MODEL("ONNX Runtime cannot load the model: not a valid ONNX model"),
        /** The model is valid ONNX but uses operators, types or opsets this ONNX Runtime build cannot run. */
        UNSUPPORTED_MODEL("ONNX Runtime cannot load the model: unsupported operators or types"),
        /** Any other load failure. */
        LOAD_FAILED("ONNX Runtime cannot load the model");

        private final String sentence;

        Code(String sentence) {
            this.sentence = sentence;
        }

        public String wire() {
            return "engine_" + name().toLowerCase(Locale.ROOT);
        }

        public String sentence() {
            return sentence;
        }
    }

    private final Code code;
    private final String detail;

    /**
     * @param detail may hold plaintext-derived text (ONNX Runtime's message, tensor names); never put into
     *     host-visible output
     */
    public EngineException(Code code, String detail) {
        super(code.wire() + ": " + code.sentence());
        this.code = code;
        this.detail = detail;
    }

    /** Maps a failure of {@code OrtSession.run} to its fixed code, keeping ONNX Runtime's message as the detail. */
    static EngineException running(OrtException e) {
        Code c = switch (e.getCode()) {
            case ORT_INVALID_ARGUMENT -> Code.INVALID_INPUT;
            default -> Code.RUN_FAILED;
        };
        return new EngineException(c, firstLine(e.getMessage()));
    }

    /** Maps a failure of session creation to its fixed code, keeping ONNX Runtime's message as the detail. */
    static EngineException loading(OrtException e) {
        Code c = switch (e.getCode()) {
            case ORT_INVALID_PROTOBUF, ORT_INVALID_GRAPH, ORT_NO_MODEL -> Code.INVALID_MODEL;
            case ORT_NOT_IMPLEMENTED -> Code.UNSUPPORTED_MODEL;
            default -> Code.LOAD_FAILED;
        };
        return new EngineException(c, firstLine(e.getMessage()));
    }

    public Code code() {
        return code;
    }

    /** ONNX Runtime's message: for the sealed response only (see the class comment). */
    public String detail() {
        return detail;
    }

    /** What the user reads inside the sealed response: the code, its sentence and the detail. */
    public String sealedMessage() {
        return getMessage() + " (" + detail + ")";
    }

    static String firstLine(String s) {
        if (s == null) {
            return "no message";
        }
        int nl = s.indexOf('\n');
        String l = nl < 0 ? s : s.substring(0, nl);
        return l.length() > 300 ? l.substring(0, 300) + "..." : l;
    }
}
