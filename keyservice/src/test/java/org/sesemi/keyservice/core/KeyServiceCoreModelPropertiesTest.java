package org.sesemi.keyservice.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeProperty;
import org.sesemi.attestation.Measurement;
import org.sesemi.client.keyservice.Grant;
import org.sesemi.protocol.keyservice.ErrorReason;
import org.sesemi.crypto.ModelId;
import org.sesemi.crypto.ModelKey;
import org.sesemi.crypto.PrincipalIdentity;
import org.sesemi.crypto.RequestKey;
import org.sesemi.crypto.SealingKey;
import org.sesemi.keyservice.store.KeyStore;

/**
 * Model-based property: random sequences of owner, user and runtime operations against the real core and SQLite
 * store give exactly the outcomes of a tiny reference model of the access rules, and a release hands out exactly
 * the stored keys.
 */
class KeyServiceCoreModelPropertiesTest {
    static final int P = 3;
    static final int M = 2;
    static final PrincipalIdentity[] IDS = new PrincipalIdentity[P];
    static final Measurement[] MEAS = new Measurement[M];

    static {
        for (int i = 0; i < P; i++) {
            IDS[i] = PrincipalIdentity.generate();
        }
        for (int i = 0; i < M; i++) {
            MEAS[i] = new Measurement("sgx:" + Integer.toString(i + 1).repeat(64));
        }
    }

    Path dir;

    @BeforeProperty
    void setUp() throws IOException {
        dir = Files.createTempDirectory("ks-prop");
    }

    @AfterProperty
    void tearDown() throws IOException {
        try (var s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    sealed interface Op permits PutModelKey, AddGrant, Revoke, PutRk, DelRk, Release {}

    record PutModelKey(int actor, int owner, int version) implements Op {}

    record AddGrant(int actor, int owner, int user, int meas) implements Op {}

    record Revoke(int actor, int owner, int user, int meas) implements Op {}

    record PutRk(int user, int owner, int meas) implements Op {}

    record DelRk(int user, int owner, int meas) implements Op {}

    record Release(int meas, int user, int owner) implements Op {}

    @Provide
    Arbitrary<List<Op>> ops() {
        var p = Arbitraries.integers().between(0, P - 1);
        var m = Arbitraries.integers().between(0, M - 1);
        Arbitrary<Op> op = Arbitraries.oneOf(
                Combinators.combine(p, p, Arbitraries.integers().between(1, 3)).as(PutModelKey::new),
                Combinators.combine(p, p, p, m).as(AddGrant::new),
                Combinators.combine(p, p, p, m).as(Revoke::new),
                Combinators.combine(p, p, m).as(PutRk::new),
                Combinators.combine(p, p, m).as(DelRk::new),
                Combinators.combine(m, p, p).as(Release::new),
                Combinators.combine(m, p, p).as(Release::new));
        return op.list().ofMinSize(1).ofMaxSize(40);
    }

    static ModelId model(int owner) {
        return new ModelId(IDS[owner].id(), "model");
    }

    static Caller principal(int i) {
        return new Caller.Principal(IDS[i].id(), IDS[i].subjectPublicKeyInfo());
    }

    @Property(tries = 60)
    void coreBehavesLikeTheReferenceModel(@ForAll("ops") List<Op> ops) throws IOException {
        Path db = Files.createTempDirectory(dir, "t").resolve("ks.db");
        byte[] seal = new byte[32];
        new java.security.SecureRandom().nextBytes(seal);
        try (KeyStore store = KeyStore.open(db, SealingKey.aesGcm(seal), Clock.systemUTC())) {
            KeyServiceCore core = new KeyServiceCore(store, Duration.ofSeconds(60), Clock.systemUTC());
            for (int i = 0; i < P; i++) {
                core.register(principal(i));
            }
            Map<Integer, ModelKey> modelKeys = new HashMap<>();
            Set<List<Integer>> grants = new HashSet<>();
            Map<List<Integer>, RequestKey> requestKeys = new HashMap<>();
            for (Op op : ops) {
                switch (op) {
                    case PutModelKey(int actor, int owner, int version) -> {
                        ModelKey k = ModelKey.generate(version);
                        var d = catchThrowableOfType(DeniedException.class, () -> core.putModelKey(principal(actor), model(owner), k));
                        ModelKey cur = modelKeys.get(owner);
                        if (actor != owner) {
                            assertThat(d).isNotNull().extracting(DeniedException::reason).isEqualTo(ErrorReason.FORBIDDEN);
                        } else if (cur != null && cur.version() >= version) {
                            assertThat(d).isNotNull().extracting(DeniedException::reason).isEqualTo(ErrorReason.CONFLICT);
                        } else {
                            assertThat(d).isNull();
                            modelKeys.put(owner, k);
                        }
                    }
                    case AddGrant(int actor, int owner, int user, int meas) -> {
                        Grant g = new Grant(model(owner), IDS[user].id(), MEAS[meas]);
                        var d = catchThrowableOfType(DeniedException.class, () -> core.addGrant(principal(actor), g));
                        if (actor == owner) {
                            assertThat(d).isNull();
                            grants.add(List.of(owner, user, meas));
                        } else {
                            assertThat(d).isNotNull().extracting(DeniedException::reason).isEqualTo(ErrorReason.FORBIDDEN);
                        }
                    }
                    case Revoke(int actor, int owner, int user, int meas) -> {
                        Grant g = new Grant(model(owner), IDS[user].id(), MEAS[meas]);
                        var d = catchThrowableOfType(DeniedException.class, () -> core.revokeGrant(principal(actor), g));
                        if (actor == owner) {
                            assertThat(d).isNull();
                            grants.remove(List.of(owner, user, meas));
                        } else {
                            assertThat(d).isNotNull().extracting(DeniedException::reason).isEqualTo(ErrorReason.FORBIDDEN);
                        }
                    }
                    case PutRk(int user, int owner, int meas) -> {
                        RequestKey k = RequestKey.generate();
                        core.putRequestKey(principal(user), model(owner), MEAS[meas], k);
                        requestKeys.put(List.of(owner, user, meas), k);
                    }
                    case DelRk(int user, int owner, int meas) -> {
                        core.deleteRequestKey(principal(user), model(owner), MEAS[meas]);
                        requestKeys.remove(List.of(owner, user, meas));
                    }
                    case Release(int meas, int user, int owner) -> {
                        Caller rt = new Caller.Runtime(MEAS[meas], "i");
                        boolean known = modelKeys.containsKey(owner) || grants.stream().anyMatch(g -> g.get(0) == owner);
                        boolean granted = grants.contains(List.of(owner, user, meas));
                        RequestKey rk = requestKeys.get(List.of(owner, user, meas));
                        Optional<ErrorReason> expected = !known ? Optional.of(ErrorReason.UNKNOWN_MODEL)
                                : !granted ? Optional.of(ErrorReason.NO_GRANT)
                                : rk == null ? Optional.of(ErrorReason.NO_REQUEST_KEY)
                                : !modelKeys.containsKey(owner) ? Optional.of(ErrorReason.NO_MODEL_KEY)
                                : Optional.empty();
                        try {
                            var r = core.release(rt, IDS[user].id(), model(owner));
                            assertThat(expected).isEmpty();
                            assertThat(r.modelKey()).isEqualTo(modelKeys.get(owner));
                            assertThat(r.requestKey()).isEqualTo(rk);
                            assertThat(r.measurement()).isEqualTo(MEAS[meas]);
                        } catch (DeniedException e) {
                            assertThat(Optional.of(e.reason())).isEqualTo(expected);
                        }
                    }
                }
            }
        }
    }
}
