package org.sesemi.platform.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The platform's state in one SQLite database (WAL, {@code synchronous=NORMAL}: a crash of this process loses
 * nothing committed; power loss may lose the last moments, acceptable for a single-machine platform whose actions can
 * be re-deployed). Prepared statements only.
 *
 * <p>Thread-safe: one connection, used under a lock. The API's writes are small (one document or record each), so a
 * single connection is simpler than a pool and not the bottleneck next to running actions.
 *
 * <p>Threading (docs/architecture.md, "Threads"): SQLite is native code, and a JNI call holds the carrier of a virtual
 * thread for its whole duration (a busy database can make that seconds). So every statement runs on this store's one
 * platform thread; callers, usually virtual threads of the API, wait for it with a deadline ({@link SqlThread}).
 *
 * <p>Activations are kept up to {@code activationRetention} records; each insert deletes the oldest beyond that.
 */
public final class PlatformStore implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Connection conn;
    private final int activationRetention;
    private final SqlThread sql;
    private final EntityCache cache = new EntityCache();

    private PlatformStore(Connection conn, int activationRetention) {
        this.conn = conn;
        this.activationRetention = activationRetention;
        this.sql = new SqlThread(conn);
    }

    /** Opens the database at {@code db}, creating the file and its schema if needed. */
    public static PlatformStore open(Path db, int activationRetention) {
        if (activationRetention < 1) {
            throw new IllegalArgumentException("activationRetention must be positive");
        }
        return new PlatformStore(StoreSchema.connect(db), activationRetention);
    }

    // ---------------------------------------------------------------- subjects

    /** Stores {@code subject} unless a subject with its uuid or name exists already (first-start bootstrap). */
    public void addSubjectIfAbsent(Subject subject) {
        locked(() -> {
            try (PreparedStatement p = conn.prepareStatement(
                    "INSERT OR IGNORE INTO subjects (uuid, name, namespace, key_sha256) VALUES (?, ?, ?, ?)")) {
                p.setString(1, subject.uuid());
                p.setString(2, subject.name());
                p.setString(3, subject.namespace());
                p.setBytes(4, subject.keySha256());
                p.executeUpdate();
            }
            return null;
        });
    }

    public Optional<Subject> subjectByUuid(String uuid) {
        Optional<Subject> cached = cache.subject(uuid);
        return cached.isPresent() ? cached : locked(() -> {
            try (PreparedStatement p = conn.prepareStatement("SELECT name, namespace, key_sha256 FROM subjects WHERE uuid = ?")) {
                p.setString(1, uuid);
                try (ResultSet r = p.executeQuery()) {
                    Optional<Subject> s = r.next() ? Optional.of(new Subject(r.getString(1), r.getString(2), uuid, r.getBytes(3))) : Optional.empty();
                    s.ifPresent(cache::subjectLoaded);
                    return s;
                }
            }
        });
    }

    // ---------------------------------------------------------------- actions

    /** An action, from memory when a recent read or write left it there ({@link EntityCache}). */
    public Optional<StoredAction> action(String namespace, String name) {
        Optional<StoredAction> cached = cache.action(namespace, name);
        return cached.isPresent() ? cached : locked(() -> readAction(namespace, name));
    }

    /** On the SQL thread: reads the committed action and leaves it in the cache. */
    private Optional<StoredAction> readAction(String namespace, String name) throws SQLException {
        try (PreparedStatement p = conn.prepareStatement("SELECT revision, updated, doc FROM actions WHERE namespace = ? AND name = ?")) {
            p.setString(1, namespace);
            p.setString(2, name);
            try (ResultSet r = p.executeQuery()) {
                if (!r.next()) {
                    return Optional.empty();
                }
                String text = r.getString(3);
                StoredAction a = new StoredAction(namespace, name, r.getLong(1), r.getLong(2), parse(text));
                cache.actionLoaded(a, text.length());
                return Optional.of(a);
            }
        }
    }

    /**
     * Creates an action; {@code expectedRevision} empty means it must not exist, else the stored revision must equal
     * it (compare-and-set for updates).
     *
     * @return the stored action with its new revision
     * @throws ConflictException if the action exists (create) or changed (update)
     */
    public StoredAction putAction(String namespace, String name, Optional<Long> expectedRevision, long updated, ObjectNode doc) {
        String text = write(doc);
        return locked(() -> {
            StoredAction stored = transaction(() -> writeAction(namespace, name, expectedRevision, updated, doc, text));
            cache.actionLoaded(stored, text.length());
            return stored;
        });
    }

    private StoredAction writeAction(String namespace, String name, Optional<Long> expectedRevision, long updated, ObjectNode doc,
            String text) throws SQLException {
        Optional<StoredAction> current = readAction(namespace, name);
        if (expectedRevision.isEmpty() && current.isPresent()) {
            throw new ConflictException(true);
        }
        if (expectedRevision.isPresent() && (current.isEmpty() || current.get().revision() != expectedRevision.get())) {
            throw new ConflictException(false);
        }
        long revision = nextRevision();
        try (PreparedStatement p = conn.prepareStatement("INSERT OR REPLACE INTO actions (namespace, name, revision, updated, doc)"
                + " VALUES (?, ?, ?, ?, ?)")) {
            p.setString(1, namespace);
            p.setString(2, name);
            p.setLong(3, revision);
            p.setLong(4, updated);
            p.setString(5, text);
            p.executeUpdate();
        }
        return new StoredAction(namespace, name, revision, updated, doc.deepCopy());
    }

    private long nextRevision() throws SQLException {
        try (Statement s = conn.createStatement()) {
            s.executeUpdate("UPDATE meta SET value = value + 1 WHERE key = 'revision'");
            try (ResultSet r = s.executeQuery("SELECT value FROM meta WHERE key = 'revision'")) {
                r.next();
                return r.getLong(1);
            }
        }
    }

    /** Deletes and returns the action, or empty if there was none. */
    public Optional<StoredAction> deleteAction(String namespace, String name) {
        return locked(() -> {
            Optional<StoredAction> deleted = transaction(() -> removeAction(namespace, name));
            cache.actionDeleted(namespace, name);
            return deleted;
        });
    }

    private Optional<StoredAction> removeAction(String namespace, String name) throws SQLException {
        Optional<StoredAction> current = readAction(namespace, name);
        if (current.isPresent()) {
            try (PreparedStatement p = conn.prepareStatement("DELETE FROM actions WHERE namespace = ? AND name = ?")) {
                p.setString(1, namespace);
                p.setString(2, name);
                p.executeUpdate();
            }
        }
        return current;
    }

    /** Actions of one entity namespace ({@code ns} or {@code ns/pkg}), most recently updated first. */
    public List<StoredAction> listActions(String namespace, int skip, int limit) {
        return locked(() -> {
            try (PreparedStatement p = conn.prepareStatement("SELECT name, revision, updated, doc FROM actions WHERE namespace = ?"
                    + " ORDER BY updated DESC, name LIMIT ? OFFSET ?")) {
                p.setString(1, namespace);
                p.setInt(2, limit);
                p.setInt(3, skip);
                List<StoredAction> out = new ArrayList<>();
                try (ResultSet r = p.executeQuery()) {
                    while (r.next()) {
                        out.add(new StoredAction(namespace, r.getString(1), r.getLong(2), r.getLong(3), parse(r.getString(4))));
                    }
                }
                return out;
            }
        });
    }

    public long countActions(String namespace) {
        return locked(() -> {
            try (PreparedStatement p = conn.prepareStatement("SELECT COUNT(*) FROM actions WHERE namespace = ?")) {
                p.setString(1, namespace);
                try (ResultSet r = p.executeQuery()) {
                    r.next();
                    return r.getLong(1);
                }
            }
        });
    }

    // ---------------------------------------------------------------- activations

    /** Stores a record and deletes the oldest records beyond the retention bound. */
    public void addActivation(StoredActivation a) {
        String text = write(a.record());
        locked(() -> insertActivation(a, text));
    }

    /**
     * {@link #addActivation} without waiting: queued on the store's thread, which runs every statement in order, so any
     * read asked for after this call returns finds the record (an answer can go out before the record is written, as
     * OpenWhisk's active ack). The future fails with a {@link StoreException} if the write does.
     */
    public java.util.concurrent.CompletableFuture<Void> addActivationLater(StoredActivation a) {
        return sql.lockedLater(() -> insertActivation(a, write(a.record())));
    }

    private Void insertActivation(StoredActivation a, String text) throws SQLException {
        return transaction(() -> {
            long seq;
            try (PreparedStatement p = conn.prepareStatement("INSERT INTO activations (namespace, activation_id, action_path, start,"
                    + " duration_ms, memory_mb, cold, status_code, record) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                p.setString(1, a.namespace());
                p.setString(2, a.activationId());
                p.setString(3, a.actionPath());
                p.setLong(4, a.start());
                p.setLong(5, a.durationMs());
                p.setInt(6, a.memoryMb());
                p.setInt(7, a.cold() ? 1 : 0);
                p.setInt(8, a.statusCode());
                p.setString(9, text);
                p.executeUpdate();
            }
            try (Statement s = conn.createStatement(); ResultSet r = s.executeQuery("SELECT last_insert_rowid()")) {
                r.next();
                seq = r.getLong(1);
            }
            try (PreparedStatement p = conn.prepareStatement("DELETE FROM activations WHERE seq <= ?")) {
                p.setLong(1, seq - activationRetention);
                p.executeUpdate();
            }
            return null;
        });
    }

    public Optional<StoredActivation> activation(String namespace, String activationId) {
        return locked(() -> {
            try (PreparedStatement p = conn.prepareStatement("SELECT " + ACTIVATION_COLUMNS
                    + " FROM activations WHERE namespace = ? AND activation_id = ?")) {
                p.setString(1, namespace);
                p.setString(2, activationId);
                try (ResultSet r = p.executeQuery()) {
                    return r.next() ? Optional.of(readActivation(r)) : Optional.empty();
                }
            }
        });
    }

    /** A filter over one namespace's activations; {@code since}/{@code upto} bound {@code start}, both inclusive. */
    public record ActivationQuery(String namespace, Optional<String> actionPath, long since, long upto) {}

    /** Matching activations, most recent start first. */
    public List<StoredActivation> listActivations(ActivationQuery q, int skip, int limit) {
        return locked(() -> {
            try (PreparedStatement p = conn.prepareStatement("SELECT " + ACTIVATION_COLUMNS + " FROM activations WHERE "
                    + where(q) + " ORDER BY start DESC, seq DESC LIMIT ? OFFSET ?")) {
                int i = bind(p, q);
                p.setInt(i++, limit);
                p.setInt(i, skip);
                List<StoredActivation> out = new ArrayList<>();
                try (ResultSet r = p.executeQuery()) {
                    while (r.next()) {
                        out.add(readActivation(r));
                    }
                }
                return out;
            }
        });
    }

    public long countActivations(ActivationQuery q) {
        return locked(() -> {
            try (PreparedStatement p = conn.prepareStatement("SELECT COUNT(*) FROM activations WHERE " + where(q))) {
                bind(p, q);
                try (ResultSet r = p.executeQuery()) {
                    r.next();
                    return r.getLong(1);
                }
            }
        });
    }

    /** Usage per action over the activations matching {@code q} (its {@code actionPath} filter applies too). */
    public List<BillingRow> billing(ActivationQuery q) {
        return locked(() -> {
            try (PreparedStatement p = conn.prepareStatement("SELECT action_path, COUNT(*), SUM(cold), SUM(duration_ms),"
                    + " SUM(CAST(memory_mb AS REAL) * duration_ms) FROM activations WHERE " + where(q)
                    + " GROUP BY action_path ORDER BY action_path")) {
                bind(p, q);
                List<BillingRow> out = new ArrayList<>();
                try (ResultSet r = p.executeQuery()) {
                    while (r.next()) {
                        out.add(new BillingRow(r.getString(1), r.getLong(2), r.getLong(3), r.getLong(4), r.getDouble(5) / (1024.0 * 1000.0)));
                    }
                }
                return out;
            }
        });
    }

    private static final String ACTIVATION_COLUMNS =
            "namespace, activation_id, action_path, start, duration_ms, memory_mb, cold, status_code, record";

    private static String where(ActivationQuery q) {
        return "namespace = ? AND start >= ? AND start <= ?" + (q.actionPath().isPresent() ? " AND action_path = ?" : "");
    }

    private static int bind(PreparedStatement p, ActivationQuery q) throws SQLException {
        int i = 1;
        p.setString(i++, q.namespace());
        p.setLong(i++, q.since());
        p.setLong(i++, q.upto());
        if (q.actionPath().isPresent()) {
            p.setString(i++, q.actionPath().get());
        }
        return i;
    }

    private static StoredActivation readActivation(ResultSet r) throws SQLException {
        return new StoredActivation(r.getString(1), r.getString(2), r.getString(3), r.getLong(4), r.getLong(5), r.getInt(6),
                r.getInt(7) != 0, r.getInt(8), parse(r.getString(9)));
    }

    // ---------------------------------------------------------------- plumbing

    /** Whether {@link #close()} has been called (late writers, e.g. activations finishing at shutdown, check this). */
    public boolean isClosed() {
        return sql.isClosed();
    }

    @Override
    public void close() {
        sql.close();
    }

    private <T> T locked(SqlThread.SqlWork<T> work) {
        return sql.locked(work);
    }

    private <T> T transaction(SqlThread.SqlWork<T> work) throws SQLException {
        return sql.transaction(work);
    }

    private static ObjectNode parse(String text) {
        try {
            return (ObjectNode) JSON.readTree(text);
        } catch (JsonProcessingException | ClassCastException e) {
            throw new StoreException("stored document is not a JSON object", e);
        }
    }

    private static String write(ObjectNode doc) {
        try {
            return JSON.writeValueAsString(doc);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("document cannot be serialised", e);
        }
    }
}
