package org.sesemi.protocol.keyservice;

import java.util.List;

/**
 * Request and response bodies of the {@code /v1} API, one record per body (see docs/protocol.md).
 *
 * <p>Compact constructors reject missing required fields with {@link IllegalArgumentException}, which
 * {@link WireJson#read} reports as a malformed body. Optional response fields are explicit JSON {@code null}.
 * Key material travels as standard base64 of the 32 raw bytes; these records are only ever built right before
 * encoding or right after decoding and are not logged ({@code toString} redacts keys).
 */
public final class Bodies {
    private Bodies() {}

    static String require(String value, String field) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("field '" + field + "' is required");
        }
        return value;
    }

    /** Response of {@code POST /v1/register}. */
    public record RegisterResponse(String principal, boolean created) {}

    /** Body of {@code PUT /v1/models/{owner}/{name}/key}. */
    public record ModelKeyPut(int version, String key) {
        public ModelKeyPut {
            require(key, "key");
        }

        @Override
        public String toString() {
            return "ModelKeyPut[version=" + version + ", key=<redacted>]";
        }
    }

    /** Response of a model key put. */
    public record ModelKeyPutResponse(String model, int version, boolean created) {}

    /** Answer to retiring a model key version: {@code retired} is false when it was already gone. */
    public record ModelKeyRetireResponse(String model, int version, boolean retired) {}

    /** Body of {@code PUT /v1/models/{owner}/{name}/request-keys/{measurement}}. */
    public record RequestKeyPut(String key) {
        public RequestKeyPut {
            require(key, "key");
        }

        @Override
        public String toString() {
            return "RequestKeyPut[key=<redacted>]";
        }
    }

    /** Response of writes that create-or-confirm (grants, request keys) or delete. */
    public record WriteResponse(boolean changed) {}

    /** One grant as listed. */
    public record GrantView(String model, String user, String measurement, String createdAt) {}

    /** Response of {@code GET /v1/models/{owner}/{name}/grants}. */
    public record GrantList(List<GrantView> grants) {
        public GrantList {
            grants = grants == null ? List.of() : List.copyOf(grants);
        }
    }

    /** Body of {@code POST /v1/release}; {@code version} 0 = the newest model key, else exactly that version. */
    public record ReleaseRequest(String user, String model, int version) {
        public ReleaseRequest {
            require(user, "user");
            require(model, "model");
            if (version < 0) {
                throw new IllegalArgumentException("field 'version' must be >= 0 (0 = newest)");
            }
        }
    }

    /** Response of a successful release. {@code expiresAt} = server time + {@code ttlSeconds}. */
    public record ReleaseResponse(String model, String user, String measurement, int modelKeyVersion, String modelKey,
            String requestKey, long ttlSeconds, String expiresAt) {
        public ReleaseResponse {
            require(model, "model");
            require(user, "user");
            require(modelKey, "modelKey");
            require(requestKey, "requestKey");
        }

        @Override
        public String toString() {
            return "ReleaseResponse[model=" + model + ", user=" + user + ", version=" + modelKeyVersion + ", keys=<redacted>]";
        }
    }

    /** One audit event. Absent fields are {@code null}. */
    public record AuditEventView(long seq, String at, String event, String actor, String model, String user,
            String measurement, String outcome, String reason) {}

    /** Response of {@code GET /v1/audit}. */
    public record AuditList(List<AuditEventView> events) {
        public AuditList {
            events = events == null ? List.of() : List.copyOf(events);
        }
    }

    /** Response of {@code GET /health}. */
    public record Health(String status, String tee, boolean simulated, String measurement) {}

    /** Every error response: {@code {"error":{"reason":"...","message":"..."}}}. */
    public record ErrorResponse(ErrorDetail error) {
        public static ErrorResponse of(ErrorReason reason, String message) {
            return new ErrorResponse(new ErrorDetail(reason.code(), message));
        }
    }

    /** The error detail: a stable reason code and a human message (never containing secrets). */
    public record ErrorDetail(String reason, String message) {}
}
