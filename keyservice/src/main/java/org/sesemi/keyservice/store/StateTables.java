package org.sesemi.keyservice.store;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The authoritative access-control state in enclave memory: every row of principals, model keys, grants and request
 * keys, with the indexes the queries need. Decisions read only this, never the database file the host controls.
 *
 * <p>Thread-safe for any number of readers and one writer (the store's commit thread, which applies a committed
 * transaction's rows one by one; each row changes atomically, and every unit of work changes at most one row).
 */
final class StateTables {
    private final ConcurrentHashMap<String, StateRow> rows = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, ConcurrentSkipListMap<Integer, StateRow.ModelKeyRow>> modelKeys = new ConcurrentHashMap<>();
    /** model → (user NUL measurement → grant), sorted like the grant listing. */
    private final ConcurrentHashMap<String, ConcurrentSkipListMap<String, StateRow.GrantRow>> grants = new ConcurrentHashMap<>();

    Optional<StateRow> get(String key) {
        return Optional.ofNullable(rows.get(key));
    }

    int size() {
        return rows.size();
    }

    Iterable<StateRow> all() {
        return rows.values();
    }

    Optional<StateRow.ModelKeyRow> latestModelKey(String model) {
        ConcurrentSkipListMap<Integer, StateRow.ModelKeyRow> v = modelKeys.get(model);
        if (v == null) {
            return Optional.empty();
        }
        Map.Entry<Integer, StateRow.ModelKeyRow> e = v.lastEntry();
        return e == null ? Optional.empty() : Optional.of(e.getValue());
    }

    /** True if the model has a key or any grant. */
    boolean modelKnown(String model) {
        ConcurrentSkipListMap<Integer, StateRow.ModelKeyRow> v = modelKeys.get(model);
        ConcurrentSkipListMap<String, StateRow.GrantRow> g = grants.get(model);
        return v != null && !v.isEmpty() || g != null && !g.isEmpty();
    }

    List<StateRow.GrantRow> grants(String model) {
        ConcurrentNavigableMap<String, StateRow.GrantRow> g = grants.get(model);
        return g == null ? List.of() : List.copyOf(g.values());
    }

    /** The grants of (model, user), sorted by their measurement or rule text. */
    List<StateRow.GrantRow> grantsOf(String model, String user) {
        ConcurrentSkipListMap<String, StateRow.GrantRow> g = grants.get(model);
        return g == null ? List.of() : List.copyOf(g.subMap(user + "\0", user + "\1").values());
    }

    void put(StateRow row) {
        rows.put(row.key(), row);
        switch (row) {
            case StateRow.ModelKeyRow m -> modelKeys.computeIfAbsent(m.model(), k -> new ConcurrentSkipListMap<>()).put(m.version(), m);
            case StateRow.GrantRow g -> grants.computeIfAbsent(g.model(), k -> new ConcurrentSkipListMap<>())
                    .put(g.user() + "\0" + g.measurement(), g);
            case StateRow.Principal p -> { }
            case StateRow.RequestKeyRow r -> { }
        }
    }

    void remove(StateRow row) {
        rows.remove(row.key());
        switch (row) {
            case StateRow.ModelKeyRow m -> {
                var v = modelKeys.get(m.model());
                if (v != null) {
                    v.remove(m.version());
                }
            }
            case StateRow.GrantRow g -> {
                var v = grants.get(g.model());
                if (v != null) {
                    v.remove(g.user() + "\0" + g.measurement());
                }
            }
            case StateRow.Principal p -> { }
            case StateRow.RequestKeyRow r -> { }
        }
    }
}
