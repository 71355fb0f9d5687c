package org.sesemi.client.keyservice;

import java.util.Optional;
import org.sesemi.crypto.ModelId;

/**
 * Which audit events to fetch. The server only ever returns events the caller may see (owners: events on their
 * models; users: events naming them).
 *
 * @param model only events on this model
 * @param afterSeq only events with a sequence number greater than this (paging; 0 = from the start)
 * @param limit at most this many events (1..1000)
 */
public record AuditQuery(Optional<ModelId> model, long afterSeq, int limit) {
    public AuditQuery {
        if (limit < 1 || limit > 1000) {
            throw new IllegalArgumentException("limit must be 1..1000");
        }
        if (afterSeq < 0) {
            throw new IllegalArgumentException("afterSeq must be >= 0");
        }
    }

    /** The first 1000 events the caller may see, on any model. */
    public static AuditQuery all() {
        return new AuditQuery(Optional.empty(), 0, 1000);
    }

    /** The first 1000 events on {@code model} the caller may see. */
    public static AuditQuery forModel(ModelId model) {
        return new AuditQuery(Optional.of(model), 0, 1000);
    }
}
