package org.sesemi.keyservice.core;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.sesemi.attestation.Measurement;
import org.sesemi.attestation.RuntimeRule;
import org.sesemi.client.keyservice.AuditEvent;
import org.sesemi.client.keyservice.Grant;
import org.sesemi.protocol.keyservice.ErrorReason;
import org.sesemi.crypto.ModelId;
import org.sesemi.crypto.ModelKey;
import org.sesemi.crypto.PrincipalId;
import org.sesemi.crypto.RequestKey;
import org.sesemi.keyservice.store.KeyStore;
import org.sesemi.keyservice.store.KeyStore.AuditEntry;
import org.sesemi.keyservice.store.ReleaseView;
import org.sesemi.keyservice.store.StateIntegrityException;

/**
 * The KeyService operations: apply {@link AccessPolicy}, change the {@link KeyStore}, and write the audit log.
 *
 * <p>Every refusal is a {@link DeniedException} thrown before anything changes. Every release and every denial of
 * a release or an owner action is audited durably before the answer is returned: no key leaves without its audit
 * record on disk. Thread-safe.
 */
public final class KeyServiceCore {
    private final KeyStore store;
    private final Duration releaseTtl;
    private final Clock clock;
    private final boolean releaseAuditFsync;

    public KeyServiceCore(KeyStore store, Duration releaseTtl, Clock clock) {
        this(store, releaseTtl, clock, true);
    }

    /**
     * @param releaseAuditFsync fsync each release's audit record before answering (else: committed, process-crash
     *     safe, fsynced with the next durable commit)
     */
    public KeyServiceCore(KeyStore store, Duration releaseTtl, Clock clock, boolean releaseAuditFsync) {
        this.store = Objects.requireNonNull(store);
        if (releaseTtl.isNegative() || releaseTtl.isZero()) {
            throw new IllegalArgumentException("release TTL must be positive");
        }
        this.releaseTtl = releaseTtl;
        this.clock = clock;
        this.releaseAuditFsync = releaseAuditFsync;
        this.denials = new DenialAudit(clock, DENIAL_AUDIT_WINDOW, 10_000);
    }

    /** Repeated identical release denials within this window are audited as one summary row (see {@link DenialAudit}). */
    public static final Duration DENIAL_AUDIT_WINDOW = Duration.ofSeconds(60);
    private final DenialAudit denials;

    /** Writes the summaries of denial windows that are over ({@code all}: every open one, e.g. at shutdown). */
    public void flushDenialAudit(boolean all) {
        for (AuditEntry e : denials.flush(all)) {
            store.audit(e, releaseAuditFsync);
        }
    }

    private void auditDenial(AuditEntry e) {
        for (AuditEntry row : denials.denied(e)) {
            store.audit(row, releaseAuditFsync);
        }
    }

    /** Keys released to a runtime, valid until {@code expiresAt}. */
    public record Released(ModelId model, PrincipalId user, Measurement measurement, ModelKey modelKey,
            RequestKey requestKey, Duration ttl, Instant expiresAt) {}

    public Duration releaseTtl() {
        return releaseTtl;
    }

    /** @return true if the principal was new */
    public boolean register(Caller caller) {
        if (!(caller instanceof Caller.Principal p)) {
            throw new DeniedException(ErrorReason.FORBIDDEN, "runtimes do not register; only owners and users do");
        }
        boolean created = store.registerPrincipal(p.id(), p.subjectPublicKeyInfo());
        if (created) {
            store.audit(new AuditEntry("register", p.auditName(), Optional.empty(), Optional.of(p.id()),
                    Optional.empty(), true, Optional.empty()));
        }
        return created;
    }

    /** @return true if a new version was stored */
    public boolean putModelKey(Caller caller, ModelId model, ModelKey key) {
        requireOwner(caller, model, "model_key_put");
        return switch (store.putModelKey(model, key)) {
            case CREATED -> {
                audit("model_key_put", caller, model, Optional.empty(), Optional.empty(), Optional.empty());
                yield true;
            }
            case UNCHANGED -> false;
            case STALE_VERSION -> throw new DeniedException(ErrorReason.CONFLICT,
                    "model key version " + key.version() + " is not above the stored version (rotation needs a higher version)");
            case VERSION_REUSED -> throw new DeniedException(ErrorReason.CONFLICT,
                    "model key version " + key.version() + " is already stored with another key");
        };
    }

    /**
     * Retires model key {@code version}: it is deleted and never released again. The newest version cannot be retired
     * (store a newer one first), so a model keeps a key.
     *
     * @return true if it was stored and is now retired; false if it was retired already
     */
    public boolean retireModelKey(Caller caller, ModelId model, int version) {
        requireOwner(caller, model, "model_key_retire");
        return switch (store.retireModelKey(model, version)) {
            case RETIRED -> {
                store.audit(new AuditEntry("model_key_retire", caller.auditName(), Optional.of(model), Optional.empty(),
                        Optional.empty(), true, Optional.of("version=" + version)));
                yield true;
            }
            case ALREADY_RETIRED -> false;
            case NEWEST -> throw new DeniedException(ErrorReason.CONFLICT, "model key version " + version
                    + " is the newest; store a newer version (and re-encrypt the model under it) before retiring it");
            case NOT_STORED -> throw new DeniedException(ErrorReason.NO_MODEL_KEY, "model " + model + " has no key version " + version);
        };
    }

    public boolean addGrant(Caller caller, Grant g) {
        requireOwner(caller, g.model(), "grant_add");
        boolean created = store.addGrant(g);
        if (created) {
            audit("grant_add", caller, g.model(), Optional.of(g.user()), Optional.of(g.runtime()), Optional.empty());
        }
        return created;
    }

    /** Takes effect for new releases at once; runtimes holding released keys stop using them within the TTL. */
    public boolean revokeGrant(Caller caller, Grant g) {
        requireOwner(caller, g.model(), "grant_revoke");
        boolean existed = store.revokeGrant(g);
        if (existed) {
            audit("grant_revoke", caller, g.model(), Optional.of(g.user()), Optional.of(g.runtime()), Optional.empty());
        }
        return existed;
    }

    public List<KeyStore.GrantRow> listGrants(Caller caller, ModelId model) {
        requireOwner(caller, model, "grant_list");
        return store.grants(model);
    }

    public boolean putRequestKey(Caller caller, ModelId model, RuntimeRule m, RequestKey key) {
        PrincipalId user = requirePrincipal(caller, model, "request_key_put");
        boolean changed = store.putRequestKey(model, m, user, key);
        if (changed) {
            audit("request_key_put", caller, model, Optional.of(user), Optional.of(m), Optional.empty());
        }
        return changed;
    }

    public boolean deleteRequestKey(Caller caller, ModelId model, RuntimeRule m) {
        PrincipalId user = requirePrincipal(caller, model, "request_key_delete");
        boolean existed = store.deleteRequestKey(model, m, user);
        if (existed) {
            audit("request_key_delete", caller, model, Optional.of(user), Optional.of(m), Optional.empty());
        }
        return existed;
    }

    /**
     * Releases (model key, request key) for (user, model) to an attested runtime, deciding on the measurement from
     * its verified quote.
     */
    public Released release(Caller caller, PrincipalId user, ModelId model) {
        return release(caller, user, model, 0);
    }

    /** As {@link #release(Caller, PrincipalId, ModelId)} for model key {@code version} (0 = newest). */
    public Released release(Caller caller, PrincipalId user, ModelId model, int version) {
        if (!(caller instanceof Caller.Runtime rt)) {
            auditDenial(new AuditEntry("release", caller.auditName(), Optional.of(model), Optional.of(user),
                    Optional.empty(), false, Optional.of(ErrorReason.ATTESTATION_REJECTED.code())));
            throw new DeniedException(ErrorReason.ATTESTATION_REJECTED,
                    "key release needs an attested runtime (RA-TLS client certificate); principals cannot fetch keys");
        }
        ReleaseView v = store.releaseView(model, user, rt.measurement(), rt.claims(), version);
        var facts = new AccessPolicy.ReleaseFacts(v.modelKnown(), v.granted(), v.requestKey().isPresent(), v.modelKey().isPresent(),
                v.keyRetired());
        Optional<ErrorReason> denial = AccessPolicy.release(caller, facts);
        if (denial.isPresent()) {
            ErrorReason r = denial.get();
            auditDenial(new AuditEntry("release", caller.auditName(), Optional.of(model), Optional.of(user),
                    Optional.of(rt.measurement()), false, Optional.of(r.code())));
            throw new DeniedException(r, switch (r) {
                case UNKNOWN_MODEL -> "model " + model + " is unknown to the KeyService";
                case NO_GRANT -> "no grant for (model " + model + ", user " + user + ", measurement " + rt.measurement()
                        + ") and no signer or register rule of theirs matches the runtime's verified quote";
                case NO_REQUEST_KEY -> "user " + user + " has no request key for (model " + model + ", "
                        + v.matched().map(RuntimeRule::value).orElse(rt.measurement().value()) + ")";
                case NO_MODEL_KEY -> version == 0 ? "the owner has not stored a key for model " + model
                        : "model " + model + " has no key version " + version;
                case KEY_RETIRED -> "key version " + version + " of model " + model + " is retired (the owner keeps only newer "
                        + "versions): the model file must be re-encrypted under a current key version";
                default -> r.code();
            });
        }
        // A release admitted by a signer or register rule names the rule, so the owner sees which grant let it through.
        Optional<String> via = v.matched().filter(r -> !r.equals(rt.measurement())).map(r -> "grant=" + r.value());
        store.audit(new AuditEntry("release", caller.auditName(), Optional.of(model), Optional.of(user),
                Optional.of(rt.measurement()), true, via), releaseAuditFsync);
        Instant now = clock.instant();
        return new Released(model, user, rt.measurement(), v.modelKey().orElseThrow(), v.requestKey().orElseThrow(),
                releaseTtl, now.plus(releaseTtl));
    }

    /**
     * Audits a release refused before it reached the access policy because the runtime's evidence was rejected (e.g.
     * {@code tcb_rejected}: its platform's TCB status is not accepted), so owners and users see it in their audit log.
     */
    public void auditRejectedRuntime(PrincipalId user, ModelId model, String attestationReason) {
        auditDenial(new AuditEntry("release", "runtime:unverified", Optional.of(model), Optional.of(user), Optional.empty(),
                false, Optional.of(attestationReason)));
    }

    /** Audit events visible to the calling principal (its models' events and events naming it as user). */
    public List<AuditEvent> audit(Caller caller, Optional<ModelId> model, long afterSeq, int limit) {
        if (!(caller instanceof Caller.Principal p)) {
            throw new DeniedException(ErrorReason.FORBIDDEN, "only owners and users read the audit log");
        }
        deny(AccessPolicy.principalAction(caller, store.isRegistered(p.id())), "register first (sesemi keyservice register)");
        try {
            return store.auditVisibleTo(p.id(), model, afterSeq, limit);
        } catch (StateIntegrityException e) {
            throw new DeniedException(ErrorReason.STATE_TAMPERED, "the audit log was changed outside the KeyService ("
                    + e.getMessage() + "); the operator has to act");
        }
    }

    /** The version of the committed state (monotonic; every answer carries it so clients can detect a rollback). */
    public long stateVersion() {
        return store.stateVersion();
    }

    private void requireOwner(Caller caller, ModelId model, String event) {
        boolean registered = caller instanceof Caller.Principal p && store.isRegistered(p.id());
        Optional<ErrorReason> d = AccessPolicy.ownerAction(caller, registered, model);
        if (d.isPresent()) {
            audit(event, caller, model, Optional.empty(), Optional.empty(), d.map(ErrorReason::code));
            String msg = switch (caller) {
                case Caller.Runtime r -> "runtimes cannot manage models";
                case Caller.Principal p when !registered -> "principal " + p.id() + " is not registered (sesemi keyservice register)";
                case Caller.Principal p -> "model " + model + " belongs to another principal";
            };
            throw new DeniedException(d.get(), msg);
        }
    }

    private PrincipalId requirePrincipal(Caller caller, ModelId model, String event) {
        boolean registered = caller instanceof Caller.Principal p && store.isRegistered(p.id());
        Optional<ErrorReason> d = AccessPolicy.principalAction(caller, registered);
        if (d.isPresent()) {
            audit(event, caller, model, caller instanceof Caller.Principal p ? Optional.of(p.id()) : Optional.empty(),
                    Optional.empty(), d.map(ErrorReason::code));
            throw new DeniedException(d.get(), caller instanceof Caller.Runtime
                    ? "runtimes cannot manage request keys"
                    : "principal is not registered (sesemi keyservice register)");
        }
        return ((Caller.Principal) caller).id();
    }

    private void audit(String event, Caller caller, ModelId model, Optional<PrincipalId> user, Optional<RuntimeRule> m,
            Optional<String> denial) {
        store.audit(new AuditEntry(event, caller.auditName(), Optional.of(model), user, m, denial.isEmpty(), denial));
    }

    private static void deny(Optional<ErrorReason> d, String message) {
        if (d.isPresent()) {
            throw new DeniedException(d.get(), message);
        }
    }
}
