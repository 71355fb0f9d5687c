package org.sesemi.keyservice.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.sesemi.attestation.Measurement;
import org.sesemi.attestation.RuntimeRule;
import org.sesemi.crypto.ModelId;
import org.sesemi.crypto.ModelKey;
import org.sesemi.crypto.PrincipalId;
import org.sesemi.crypto.RequestKey;

/**
 * Queries on the enclave's access-control rows ({@link StateTables}), unsealing only the keys a caller is entitled
 * to. Pure reads of memory: thread-safe, never touches the database file.
 */
final class ReleaseQuery {
    private final StateLedger ledger;
    private final RowSealing seals;

    ReleaseQuery(StateLedger ledger, RowSealing seals) {
        this.ledger = ledger;
        this.seals = seals;
    }

    Optional<ModelKey> latestModelKey(ModelId model) {
        return ledger.tables().latestModelKey(model.toString()).map(seals::openModelKey);
    }

    Optional<ModelKey> modelKey(ModelId model, int version) {
        return ledger.tables().get(StateRow.ModelKeyRow.keyOf(model.toString(), version))
                .map(r -> seals.openModelKey((StateRow.ModelKeyRow) r));
    }

    Optional<RequestKey> requestKey(ModelId model, RuntimeRule m, PrincipalId user) {
        return ledger.tables().get(StateRow.RequestKeyRow.keyOf(model.toString(), m.value(), user.hex()))
                .map(r -> seals.openRequestKey((StateRow.RequestKeyRow) r));
    }

    /**
     * The release view for a runtime with verified measurement {@code m} and quote {@code claims}, model key
     * {@code version} (0 = newest). The runtime is granted if a grant for (model, user) names its measurement or a
     * rule its quote satisfies; its request key is the one the user stored for that same measurement or rule.
     */
    ReleaseView releaseView(ModelId model, PrincipalId user, Measurement m, Map<String, String> claims, int version) {
        StateTables t = ledger.tables();
        List<RuntimeRule> admitting = new ArrayList<>();
        if (t.get(StateRow.GrantRow.keyOf(model.toString(), user.hex(), m.value())).isPresent()) {
            admitting.add(m);
        }
        for (StateRow.GrantRow g : t.grantsOf(model.toString(), user.hex())) {
            if (!g.measurement().equals(m.value())) {
                RuntimeRule rule = RuntimeRule.parse(g.measurement());
                if (rule.matches(m, claims)) {
                    admitting.add(rule);
                }
            }
        }
        if (admitting.isEmpty()) {
            // No key is unsealed for a caller without a grant; only whether the model exists at all.
            return new ReleaseView(t.modelKnown(model.toString()), false, Optional.empty(), Optional.empty());
        }
        RuntimeRule matched = admitting.getFirst();
        Optional<RequestKey> rk = Optional.empty();
        for (RuntimeRule r : admitting) {
            rk = requestKey(model, r, user);
            if (rk.isPresent()) {
                matched = r;
                break;
            }
        }
        Optional<ModelKey> mk = version == 0 ? latestModelKey(model) : modelKey(model, version);
        // A version below the newest that is not stored was retired by the owner (or skipped): say so, not "no key".
        boolean retired = mk.isEmpty() && version > 0
                && t.latestModelKey(model.toString()).filter(l -> l.version() > version).isPresent();
        return new ReleaseView(true, true, rk, mk, Optional.of(matched), retired);
    }
}
