package org.sesemi.platform.store;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.Optional;

/**
 * The subjects and actions a warm invoke reads, kept in memory so that it does not wait for the store's SQL thread
 * (two hand-offs to a platform thread per read, which on a loaded machine cost milliseconds; the platform's warm hop,
 * issue #13). OpenWhisk's controller caches its entities the same way.
 *
 * <p>Consistent because this process is the database's only writer and every change to a cached table runs on the
 * store's one SQL thread, which also fills the cache: a read that missed loads and inserts on that thread, a write
 * updates or removes the entry there after its commit, so an older value can never overwrite a newer one. Only entities
 * that exist are cached (unknown keys, which anyone can send, never take room). Bounded: at most
 * {@link #MAX_SUBJECTS} subjects, and actions by the size of their stored documents ({@link #MAX_ACTION_CHARS}).
 *
 * <p>A hit returns a copy of the action's document, so a caller that edits what it got changes nothing here.
 */
final class EntityCache {
    static final int MAX_SUBJECTS = 10_000;
    static final long MAX_ACTION_CHARS = 16L << 20;

    private record ActionKey(String namespace, String name) {}

    private record Entry(StoredAction action, int chars) {}

    private final Cache<String, Subject> subjects = Caffeine.newBuilder().maximumSize(MAX_SUBJECTS).build();
    private final Cache<ActionKey, Entry> actions = Caffeine.newBuilder().maximumWeight(MAX_ACTION_CHARS)
            .<ActionKey, Entry>weigher((k, e) -> e.chars()).build();

    Optional<Subject> subject(String uuid) {
        return Optional.ofNullable(subjects.getIfPresent(uuid));
    }

    /** On the SQL thread only. */
    void subjectLoaded(Subject s) {
        subjects.put(s.uuid(), s);
    }

    Optional<StoredAction> action(String namespace, String name) {
        Entry e = actions.getIfPresent(new ActionKey(namespace, name));
        return e == null ? Optional.empty() : Optional.of(copy(e.action()));
    }

    /** On the SQL thread only: {@code action} was read or committed; its document text had {@code chars} characters. */
    void actionLoaded(StoredAction action, int chars) {
        actions.put(new ActionKey(action.namespace(), action.name()), new Entry(copy(action), chars));
    }

    /** On the SQL thread only, after the commit that deleted it. */
    void actionDeleted(String namespace, String name) {
        actions.invalidate(new ActionKey(namespace, name));
    }

    private static StoredAction copy(StoredAction a) {
        return new StoredAction(a.namespace(), a.name(), a.revision(), a.updated(), a.doc().deepCopy());
    }
}
