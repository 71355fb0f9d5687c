package org.sesemi.keyservice.store;

import java.util.List;

/**
 * The database does not match its sealed state head: rows were replayed, deleted, inserted or edited outside the
 * KeyService (or the whole file is older than an operator expects). The KeyService refuses to serve such a database
 * until an operator acts (docs/operations.md, "State integrity"); messages name rows, never secrets.
 */
public final class StateIntegrityException extends StoreException {
    private static final long serialVersionUID = 1L;

    /** What was found. */
    public enum Kind {
        /** Row-level change: replay, deletion, insertion or edit of rows, or a head that does not open. */
        TAMPERED,
        /** Rows but no sealed state head: a database of an older KeyService, or a deleted head. */
        UNSEALED,
        /** The state version is lower than the operator's {@code --expect-state-version}. */
        ROLLED_BACK
    }

    private final Kind kind;
    private final List<String> findings;

    public StateIntegrityException(Kind kind, String message) {
        this(kind, message, List.of(message));
    }

    public StateIntegrityException(Kind kind, String message, List<String> findings) {
        super(message);
        this.kind = kind;
        this.findings = List.copyOf(findings);
    }

    public Kind kind() {
        return kind;
    }

    /** Every problem found (the message summarises them). */
    public List<String> findings() {
        return findings;
    }
}
