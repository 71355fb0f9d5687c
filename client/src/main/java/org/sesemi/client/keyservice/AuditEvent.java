package org.sesemi.client.keyservice;

import java.time.Instant;
import java.util.Optional;
import org.sesemi.attestation.RuntimeRule;
import org.sesemi.crypto.ModelId;
import org.sesemi.crypto.PrincipalId;

/**
 * One audit log entry.
 *
 * @param seq monotonically increasing sequence number
 * @param at server time
 * @param event e.g. {@code release}, {@code grant_add}, {@code model_key_put} (see docs/protocol.md)
 * @param actor who acted: a principal id, or {@code runtime:<measurement>}
 * @param measurement the runtime's measurement (releases), or the measurement or rule a grant or request key names
 * @param outcome {@code allowed} or {@code denied}
 * @param reason the denial reason code, when denied
 */
public record AuditEvent(long seq, Instant at, String event, String actor, Optional<ModelId> model,
        Optional<PrincipalId> user, Optional<RuntimeRule> measurement, String outcome, Optional<String> reason) {}
