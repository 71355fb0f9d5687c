package org.sesemi.platform.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sesemi.platform.store.PlatformStore.ActivationQuery;

class PlatformStoreTest {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    @TempDir
    Path dir;

    private PlatformStore open(int retention) {
        return PlatformStore.open(dir.resolve("platform.db"), retention);
    }

    private static ObjectNode doc(String name, String version) {
        return F.objectNode().put("name", name).put("version", version);
    }

    private static StoredActivation activation(String ns, String id, String path, long start, long duration, int memory, boolean cold) {
        ObjectNode record = F.objectNode().put("activationId", id).put("start", start);
        return new StoredActivation(ns, id, path, start, duration, memory, cold, 0, record);
    }

    private static String id(int n) {
        return String.format("%032x", n);
    }

    @Test
    void subjectsRoundTripAndBootstrapIsIdempotent() {
        try (PlatformStore s = open(10)) {
            byte[] hash = new byte[32];
            hash[0] = 7;
            s.addSubjectIfAbsent(new Subject("guest", "guest", "uuid-1", hash));
            s.addSubjectIfAbsent(new Subject("guest", "guest", "uuid-1", new byte[32]));
            Subject got = s.subjectByUuid("uuid-1").orElseThrow();
            assertThat(got.name()).isEqualTo("guest");
            assertThat(got.keySha256()).isEqualTo(hash);
            assertThat(got.toString()).doesNotContain("7");
            assertThat(s.subjectByUuid("nope")).isEmpty();
        }
    }

    @Test
    void aSubjectUnknownAtFirstIsFoundOnceAdded() {
        try (PlatformStore s = open(10)) {
            assertThat(s.subjectByUuid("late")).isEmpty();
            s.addSubjectIfAbsent(new Subject("late", "late", "late", new byte[32]));
            assertThat(s.subjectByUuid("late")).map(Subject::name).contains("late");
        }
    }

    @Test
    void actionsReadFromMemoryFollowEveryWrite() {
        try (PlatformStore s = open(10)) {
            assertThat(s.action("guest", "a")).isEmpty();
            StoredAction v1 = s.putAction("guest", "a", Optional.empty(), 1, doc("a", "1"));
            assertThat(s.action("guest", "a")).contains(v1);
            s.action("guest", "a").orElseThrow().doc().put("version", "edited by a caller");
            assertThat(s.action("guest", "a").orElseThrow().doc().get("version").asText()).isEqualTo("1");
            StoredAction v2 = s.putAction("guest", "a", Optional.of(v1.revision()), 2, doc("a", "2"));
            assertThat(s.action("guest", "a")).contains(v2);
            assertThatThrownBy(() -> s.putAction("guest", "a", Optional.of(v1.revision()), 3, doc("a", "3")))
                    .isInstanceOf(ConflictException.class);
            assertThat(s.action("guest", "a")).contains(v2);
            assertThat(s.deleteAction("guest", "a")).contains(v2);
            assertThat(s.action("guest", "a")).isEmpty();
        }
        try (PlatformStore reopened = open(10)) {
            assertThat(reopened.action("guest", "a")).isEmpty();
        }
    }

    @Test
    void concurrentReadersNeverSeeAnOlderRevisionThanTheyAlreadySaw() throws Exception {
        try (PlatformStore s = open(10)) {
            StoredAction first = s.putAction("guest", "a", Optional.empty(), 1, doc("a", "0"));
            int updates = 300;
            java.util.concurrent.atomic.AtomicBoolean writing = new java.util.concurrent.atomic.AtomicBoolean(true);
            java.util.List<java.util.concurrent.Future<Long>> readers = new java.util.ArrayList<>();
            try (var pool = java.util.concurrent.Executors.newFixedThreadPool(3)) {
                for (int r = 0; r < 2; r++) {
                    readers.add(pool.submit(() -> {
                        long seen = first.revision();
                        while (writing.get()) {
                            long now = s.action("guest", "a").orElseThrow().revision();
                            assertThat(now).isGreaterThanOrEqualTo(seen);
                            seen = now;
                        }
                        return seen;
                    }));
                }
                StoredAction last = first;
                for (int i = 1; i <= updates; i++) {
                    last = s.putAction("guest", "a", Optional.of(last.revision()), i, doc("a", Integer.toString(i)));
                }
                writing.set(false);
                for (var f : readers) {
                    assertThat(f.get()).isLessThanOrEqualTo(last.revision());
                }
                assertThat(s.action("guest", "a")).contains(last);
            }
        }
    }

    @Test
    void createConflictsWhenPresentAndUpdatesAreCompareAndSet() {
        try (PlatformStore s = open(10)) {
            StoredAction a = s.putAction("guest", "hello", Optional.empty(), 1000, doc("hello", "0.0.1"));
            assertThatThrownBy(() -> s.putAction("guest", "hello", Optional.empty(), 1001, doc("hello", "0.0.1")))
                    .isInstanceOfSatisfying(ConflictException.class, e -> assertThat(e.alreadyExists()).isTrue());
            StoredAction b = s.putAction("guest", "hello", Optional.of(a.revision()), 1002, doc("hello", "0.0.2"));
            assertThat(b.revision()).isGreaterThan(a.revision());
            assertThatThrownBy(() -> s.putAction("guest", "hello", Optional.of(a.revision()), 1003, doc("hello", "0.0.3")))
                    .isInstanceOfSatisfying(ConflictException.class, e -> assertThat(e.alreadyExists()).isFalse());
            assertThat(s.action("guest", "hello").orElseThrow().doc().get("version").asText()).isEqualTo("0.0.2");
            assertThat(s.action("guest/pkg", "hello")).isEmpty();
        }
    }

    @Test
    void deletedAndRecreatedActionNeverReusesARevision() {
        try (PlatformStore s = open(10)) {
            long r1 = s.putAction("guest", "a", Optional.empty(), 1, doc("a", "0.0.1")).revision();
            assertThat(s.deleteAction("guest", "a")).isPresent();
            assertThat(s.deleteAction("guest", "a")).isEmpty();
            long r2 = s.putAction("guest", "a", Optional.empty(), 2, doc("a", "0.0.1")).revision();
            assertThat(r2).isGreaterThan(r1);
        }
    }

    @Test
    void listsNewestFirstWithPaginationPerEntityNamespace() {
        try (PlatformStore s = open(10)) {
            for (int i = 0; i < 5; i++) {
                s.putAction("guest", "a" + i, Optional.empty(), 100 + i, doc("a" + i, "0.0.1"));
            }
            s.putAction("guest/pkg", "inside", Optional.empty(), 999, doc("inside", "0.0.1"));
            assertThat(s.listActions("guest", 0, 30)).extracting(StoredAction::name).containsExactly("a4", "a3", "a2", "a1", "a0");
            assertThat(s.listActions("guest", 1, 2)).extracting(StoredAction::name).containsExactly("a3", "a2");
            assertThat(s.countActions("guest")).isEqualTo(5);
            assertThat(s.listActions("guest/pkg", 0, 30)).extracting(StoredAction::name).containsExactly("inside");
        }
    }

    @Test
    void activationsFilterByNameAndTimeAndCount() {
        try (PlatformStore s = open(100)) {
            s.addActivation(activation("guest", id(1), "a", 1000, 10, 256, true));
            s.addActivation(activation("guest", id(2), "a", 2000, 10, 256, false));
            s.addActivation(activation("guest", id(3), "pkg/b", 3000, 10, 256, true));
            s.addActivation(activation("other", id(4), "a", 2500, 10, 256, true));
            ActivationQuery all = new ActivationQuery("guest", Optional.empty(), 0, Long.MAX_VALUE);
            assertThat(s.listActivations(all, 0, 30)).extracting(StoredActivation::activationId).containsExactly(id(3), id(2), id(1));
            assertThat(s.listActivations(all, 1, 1)).extracting(StoredActivation::activationId).containsExactly(id(2));
            assertThat(s.countActivations(new ActivationQuery("guest", Optional.of("a"), 0, Long.MAX_VALUE))).isEqualTo(2);
            assertThat(s.listActivations(new ActivationQuery("guest", Optional.empty(), 1500, 3000), 0, 30))
                    .extracting(StoredActivation::activationId).containsExactly(id(3), id(2));
            assertThat(s.activation("guest", id(4))).isEmpty();
            StoredActivation got = s.activation("guest", id(3)).orElseThrow();
            assertThat(got.actionPath()).isEqualTo("pkg/b");
            assertThat(got.cold()).isTrue();
            assertThat(got.record().get("start").asLong()).isEqualTo(3000);
        }
    }

    @Test
    void retentionDeletesTheOldestRecordsFirst() {
        try (PlatformStore s = open(3)) {
            for (int i = 1; i <= 5; i++) {
                s.addActivation(activation("guest", id(i), "a", i, 1, 128, false));
            }
            assertThat(s.countActivations(new ActivationQuery("guest", Optional.empty(), 0, Long.MAX_VALUE))).isEqualTo(3);
            assertThat(s.activation("guest", id(1))).isEmpty();
            assertThat(s.activation("guest", id(2))).isEmpty();
            assertThat(s.activation("guest", id(5))).isPresent();
        }
    }

    @Test
    void billingSumsGbSecondsFromConfiguredMemoryAndDuration() {
        try (PlatformStore s = open(100)) {
            s.addActivation(activation("guest", id(1), "a", 1, 1000, 512, true));
            s.addActivation(activation("guest", id(2), "a", 2, 3000, 512, false));
            s.addActivation(activation("guest", id(3), "b", 3, 500, 2048, true));
            var rows = s.billing(new ActivationQuery("guest", Optional.empty(), 0, Long.MAX_VALUE));
            assertThat(rows).hasSize(2);
            BillingRow a = rows.get(0);
            assertThat(a.actionPath()).isEqualTo("a");
            assertThat(a.activations()).isEqualTo(2);
            assertThat(a.coldStarts()).isEqualTo(1);
            assertThat(a.totalDurationMs()).isEqualTo(4000);
            assertThat(a.gbSeconds()).isCloseTo(0.5 * 4.0, within(1e-9));
            assertThat(rows.get(1).gbSeconds()).isCloseTo(2.0 * 0.5, within(1e-9));
            assertThat(s.billing(new ActivationQuery("guest", Optional.empty(), 3, 3))).extracting(BillingRow::actionPath).containsExactly("b");
        }
    }

    @Test
    void restartKeepsSubjectsActionsAndActivations() {
        try (PlatformStore s = open(10)) {
            s.addSubjectIfAbsent(new Subject("guest", "guest", "u", new byte[32]));
            s.putAction("guest", "kept", Optional.empty(), 5, doc("kept", "0.0.1"));
            s.addActivation(activation("guest", id(9), "kept", 7, 1, 128, true));
        }
        try (PlatformStore s = open(10)) {
            assertThat(s.subjectByUuid("u")).isPresent();
            assertThat(s.action("guest", "kept").orElseThrow().doc().get("name").asText()).isEqualTo("kept");
            assertThat(s.activation("guest", id(9))).isPresent();
            long before = s.action("guest", "kept").orElseThrow().revision();
            assertThat(s.putAction("guest", "new", Optional.empty(), 6, doc("new", "0.0.1")).revision()).isGreaterThan(before);
        }
    }

    @Test
    void closedStoreRefusesWork() {
        PlatformStore s = open(10);
        s.close();
        s.close();
        assertThatThrownBy(() -> s.action("guest", "x")).isInstanceOf(StoreException.class);
    }
}
