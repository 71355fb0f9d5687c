package org.sesemi.keyservice.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sesemi.attestation.Measurement;
import org.sesemi.client.keyservice.Grant;
import org.sesemi.crypto.ModelId;
import org.sesemi.crypto.ModelKey;
import org.sesemi.crypto.PrincipalIdentity;
import org.sesemi.crypto.RequestKey;
import org.sesemi.crypto.SealingKey;

class KeyStoreTest {
    static final SecureRandom RND = new SecureRandom();
    @TempDir Path dir;

    static SealingKey sealingKey() {
        byte[] k = new byte[32];
        RND.nextBytes(k);
        return SealingKey.aesGcm(k);
    }

    static Measurement measurement() {
        byte[] b = new byte[32];
        RND.nextBytes(b);
        return Measurement.sgx(b);
    }

    final SealingKey sealing = sealingKey();
    final PrincipalIdentity owner = PrincipalIdentity.generate();
    final PrincipalIdentity user = PrincipalIdentity.generate();
    final ModelId model = new ModelId(owner.id(), "resnet");
    final Measurement m = measurement();

    KeyStore open() {
        return KeyStore.open(dir.resolve("ks.db"), sealing, Clock.systemUTC());
    }

    @Test
    void modelKeyVersionsRotateAndRejectStaleOrReusedVersions() {
        try (KeyStore s = open()) {
            ModelKey v1 = ModelKey.generate(1);
            ModelKey v2 = ModelKey.generate(2);
            assertThat(s.latestModelKey(model)).isEmpty();
            assertThat(s.putModelKey(model, v1)).isEqualTo(KeyStore.PutOutcome.CREATED);
            assertThat(s.putModelKey(model, v1)).isEqualTo(KeyStore.PutOutcome.UNCHANGED);
            assertThat(s.putModelKey(model, ModelKey.generate(1))).isEqualTo(KeyStore.PutOutcome.VERSION_REUSED);
            assertThat(s.putModelKey(model, v2)).isEqualTo(KeyStore.PutOutcome.CREATED);
            assertThat(s.putModelKey(model, ModelKey.generate(1))).isEqualTo(KeyStore.PutOutcome.STALE_VERSION);
            assertThat(s.latestModelKey(model)).contains(v2);
        }
    }

    @Test
    void grantsAndRequestKeysAreIdempotentAndSurviveReopen() {
        Grant g = new Grant(model, user.id(), m);
        RequestKey rk = RequestKey.generate();
        try (KeyStore s = open()) {
            assertThat(s.addGrant(g)).isTrue();
            assertThat(s.addGrant(g)).isFalse();
            assertThat(s.putRequestKey(model, m, user.id(), rk)).isTrue();
            assertThat(s.putRequestKey(model, m, user.id(), rk)).isFalse();
            assertThat(s.registerPrincipal(owner.id(), owner.subjectPublicKeyInfo())).isTrue();
            assertThat(s.registerPrincipal(owner.id(), owner.subjectPublicKeyInfo())).isFalse();
        }
        try (KeyStore s = open()) {
            assertThat(s.grants(model)).extracting(KeyStore.GrantRow::grant).containsExactly(g);
            assertThat(s.requestKey(model, m, user.id())).contains(rk);
            assertThat(s.isRegistered(owner.id())).isTrue();
            assertThat(s.isRegistered(user.id())).isFalse();
            var view = s.releaseView(model, user.id(), m);
            assertThat(view.granted()).isTrue();
            assertThat(view.modelKnown()).isTrue();
            assertThat(view.modelKey()).isEmpty();
            assertThat(s.revokeGrant(g)).isTrue();
            assertThat(s.revokeGrant(g)).isFalse();
            assertThat(s.deleteRequestKey(model, m, user.id())).isTrue();
            assertThat(s.releaseView(model, user.id(), m).granted()).isFalse();
            assertThat(s.releaseView(model, user.id(), m).modelKnown()).isFalse();
        }
    }

    @Test
    void noKeyByteEverReachesTheDatabaseFilesInClear() throws Exception {
        List<byte[]> secrets = new ArrayList<>();
        Path db = dir.resolve("ks.db");
        try (KeyStore s = open()) {
            for (int i = 0; i < 40; i++) {
                ModelId mi = new ModelId(owner.id(), "m" + i);
                ModelKey mk = ModelKey.generate(1);
                RequestKey rk = RequestKey.generate();
                s.putModelKey(mi, mk);
                s.putRequestKey(mi, m, user.id(), rk);
                secrets.add(mk.exportSecret());
                secrets.add(rk.exportSecret());
            }
            // While open, the rows live in the WAL: scan it too.
            assertNoSecretIn(secrets, db, db.resolveSibling("ks.db-wal"), db.resolveSibling("ks.db-shm"));
        }
        assertNoSecretIn(secrets, db, db.resolveSibling("ks.db-wal"));
        Path backup = dir.resolve("backup.db");
        try (KeyStore s = open()) {
            s.backup(backup);
        }
        assertNoSecretIn(secrets, backup);
    }

    private static void assertNoSecretIn(List<byte[]> secrets, Path... files) throws Exception {
        int scanned = 0;
        for (Path f : files) {
            if (!Files.exists(f)) {
                continue;
            }
            byte[] content = Files.readAllBytes(f);
            scanned += content.length;
            String asText = new String(content, java.nio.charset.StandardCharsets.ISO_8859_1);
            for (byte[] s : secrets) {
                // Any 8-byte window of a key would be a leak; also look for base64 and hex encodings.
                for (int off = 0; off + 8 <= s.length; off += 8) {
                    assertThat(indexOf(content, java.util.Arrays.copyOfRange(s, off, off + 8))).as("raw key bytes in " + f).isNegative();
                }
                assertThat(asText).doesNotContain(Base64.getEncoder().encodeToString(s).substring(0, 16))
                        .doesNotContain(HexFormat.of().formatHex(s).substring(0, 16));
            }
        }
        assertThat(scanned).isPositive();
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    @Test
    void swappedOrMovedSealedRowsAreDetected() throws Exception {
        PrincipalIdentity other = PrincipalIdentity.generate();
        ModelId m2 = new ModelId(owner.id(), "other");
        try (KeyStore s = open()) {
            s.putModelKey(model, ModelKey.generate(1));
            s.putModelKey(m2, ModelKey.generate(1));
            s.putRequestKey(model, m, user.id(), RequestKey.generate());
            s.addGrant(new Grant(model, user.id(), m));
        }
        try (Connection c = raw(); Statement st = c.createStatement()) {
            // Swap the two model keys' sealed blobs.
            st.executeUpdate("UPDATE model_keys SET sealed_key = (SELECT sealed_key FROM model_keys WHERE model = '" + m2
                    + "') WHERE model = '" + model + "'");
            // Re-target the user's request key and grant to another user (a host trying to steal access).
            st.executeUpdate("UPDATE request_keys SET user_id = '" + other.id() + "'");
            st.executeUpdate("INSERT INTO grants SELECT model, '" + other.id() + "', measurement, created_at, seal FROM grants");
        }
        assertThatThrownBy(this::open).isInstanceOf(StateIntegrityException.class).hasMessageContaining("does not open");
        var report = StoreMaintenance.verify(dir.resolve("ks.db"), sealing);
        assertThat(report.consistent()).isFalse();
        assertThat(report.findings()).anyMatch(f -> f.contains("model_keys")).anyMatch(f -> f.contains("request_keys"))
                .anyMatch(f -> f.contains("grants"));
    }

    @Test
    void aForgedGrantRowIsRejected() throws Exception {
        try (KeyStore s = open()) {
            s.putModelKey(model, ModelKey.generate(1));
        }
        try (Connection c = raw(); PreparedStatement p = c.prepareStatement("INSERT INTO grants VALUES (?, ?, ?, 0, ?)")) {
            p.setString(1, model.toString());
            p.setString(2, user.id().hex());
            p.setString(3, m.value());
            p.setBytes(4, sealingKey().seal("grant@0".getBytes(), new byte[0]));
            p.executeUpdate();
        }
        assertThatThrownBy(this::open).isInstanceOf(StateIntegrityException.class).hasMessageContaining("grants");
    }

    @Test
    void anotherSealingKeyCannotOpenTheStore() {
        try (KeyStore s = open()) {
            s.putModelKey(model, ModelKey.generate(1));
        }
        assertThat(StoreMaintenance.verify(dir.resolve("ks.db"), sealing).modelKeys()).isEqualTo(1);
        assertThat(StoreMaintenance.verify(dir.resolve("ks.db"), sealing).consistent()).isTrue();
        assertThat(StoreMaintenance.verify(dir.resolve("ks.db"), sealingKey()).consistent()).isFalse();
        assertThatThrownBy(() -> KeyStore.open(dir.resolve("ks.db"), sealingKey(), Clock.systemUTC()))
                .isInstanceOf(StateIntegrityException.class);
    }

    @Test
    void aSecondOpenerIsRefusedWhileTheStoreIsOpen() {
        try (KeyStore s = open()) {
            assertThatThrownBy(this::open).isInstanceOf(StoreException.class).hasMessageContaining("in use");
        }
        open().close();
    }

    @Test
    void aNewerSchemaIsRefused() throws Exception {
        open().close();
        try (Connection c = raw(); Statement st = c.createStatement()) {
            st.executeUpdate("PRAGMA user_version = 99");
        }
        assertThatThrownBy(this::open).isInstanceOf(StoreException.class).hasMessageContaining("newer");
    }

    @Test
    void walAndFullSyncAreConfigured() throws Exception {
        try (KeyStore s = open(); Connection c = DbFiles.connect(dir.resolve("ks.db"), true); Statement st = c.createStatement()) {
            try (var rs = st.executeQuery("PRAGMA journal_mode")) {
                assertThat(rs.getString(1)).isEqualToIgnoringCase("wal");
            }
            try (var rs = st.executeQuery("PRAGMA synchronous")) {
                assertThat(rs.getInt(1)).isEqualTo(2); // FULL
            }
        }
    }

    @Test
    void backupVerifyAndRestoreRoundTrip() {
        Path backup = dir.resolve("backup.db");
        ModelKey mk = ModelKey.generate(3);
        try (KeyStore s = open()) {
            s.putModelKey(model, mk);
            s.addGrant(new Grant(model, user.id(), m));
            s.backup(backup);
            assertThatThrownBy(() -> s.backup(backup)).isInstanceOf(StoreException.class);
            assertThatThrownBy(() -> StoreMaintenance.restore(backup, dir.resolve("ks.db"), sealing, 0))
                    .isInstanceOf(StoreException.class).hasMessageContaining("running");
            s.revokeGrant(new Grant(model, user.id(), m));
        }
        var report = StoreMaintenance.restore(backup, dir.resolve("ks.db"), sealing, 0);
        assertThat(report.modelKeys()).isEqualTo(1);
        assertThat(report.grants()).isEqualTo(1);
        try (KeyStore s = open()) {
            assertThat(s.latestModelKey(model)).contains(mk);
            assertThat(s.grants(model)).hasSize(1);
        }
        assertThatThrownBy(() -> StoreMaintenance.restore(backup, dir.resolve("ks.db"), sealingKey(), 0)).isInstanceOf(StoreException.class);
    }

    @Test
    void auditIsFilteredByOwnerAndUser() {
        PrincipalIdentity stranger = PrincipalIdentity.generate();
        try (KeyStore s = open()) {
            s.audit(new KeyStore.AuditEntry("release", "runtime:" + m, Optional.of(model), Optional.of(user.id()), Optional.of(m),
                    true, Optional.empty()));
            s.audit(new KeyStore.AuditEntry("release", "runtime:" + m, Optional.of(model), Optional.of(stranger.id()),
                    Optional.of(m), false, Optional.of("no_grant")));
            assertThat(s.auditVisibleTo(owner.id(), Optional.empty(), 0, 100)).hasSize(2);
            assertThat(s.auditVisibleTo(user.id(), Optional.empty(), 0, 100)).hasSize(1)
                    .allSatisfy(e -> assertThat(e.outcome()).isEqualTo("allowed"));
            assertThat(s.auditVisibleTo(stranger.id(), Optional.empty(), 0, 100)).singleElement()
                    .satisfies(e -> assertThat(e.reason()).contains("no_grant"));
            assertThat(s.auditVisibleTo(PrincipalIdentity.generate().id(), Optional.empty(), 0, 100)).isEmpty();
            long first = s.auditVisibleTo(owner.id(), Optional.empty(), 0, 1).getFirst().seq();
            assertThat(s.auditVisibleTo(owner.id(), Optional.of(model), first, 100)).hasSize(1);
        }
    }

    private Connection raw() throws Exception {
        return DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("ks.db"));
    }
}
