package org.sesemi.keyservice.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sesemi.attestation.Measurement;
import org.sesemi.client.keyservice.AuditEvent;
import org.sesemi.client.keyservice.Grant;
import org.sesemi.crypto.ModelId;
import org.sesemi.crypto.ModelKey;
import org.sesemi.crypto.PrincipalIdentity;
import org.sesemi.crypto.RequestKey;
import org.sesemi.crypto.SealingKey;

/**
 * Row-level tampering with a stopped KeyService's database (the host's replay, deletion, insertion and edit of rows
 * through its own SQLite connection) is refused at open and reported by verify; a whole-database rollback is caught
 * by the expected state version; restore and reseal are the operator's ways out.
 */
class StateRollbackTest {
    @TempDir Path dir;
    final SealingKey sealing = KeyStoreTest.sealingKey();
    final PrincipalIdentity owner = PrincipalIdentity.generate();
    final PrincipalIdentity user = PrincipalIdentity.generate();
    final ModelId model = new ModelId(owner.id(), "bert");
    final Measurement m = KeyStoreTest.measurement();
    final Grant grant = new Grant(model, user.id(), m);

    Path db() {
        return dir.resolve("ks.db");
    }

    KeyStore open() {
        return KeyStore.open(db(), sealing, Clock.systemUTC());
    }

    interface Sql {
        void run(Connection c) throws Exception;
    }

    void host(Sql s) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db())) {
            s.run(c);
        }
    }

    static Object[] row(Connection c, String sql) throws Exception {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            assertThat(rs.next()).as(sql).isTrue();
            int n = rs.getMetaData().getColumnCount();
            Object[] out = new Object[n];
            for (int i = 0; i < n; i++) {
                out[i] = rs.getObject(i + 1);
            }
            return out;
        }
    }

    static void insert(Connection c, String table, Object[] values) throws Exception {
        String marks = String.join(", ", java.util.Collections.nCopies(values.length, "?"));
        try (PreparedStatement p = c.prepareStatement("INSERT OR REPLACE INTO " + table + " VALUES (" + marks + ")")) {
            for (int i = 0; i < values.length; i++) {
                p.setObject(i + 1, values[i]);
            }
            p.executeUpdate();
        }
    }

    private void audit(KeyStore s, String event) {
        s.audit(new KeyStore.AuditEntry(event, owner.id().hex(), Optional.of(model), Optional.of(user.id()), Optional.of(m), true,
                Optional.empty()));
    }

    /** Refused at open with a row-level finding containing {@code finding}; verify reports the same. */
    private void assertTampered(String finding) {
        assertThatThrownBy(this::open).isInstanceOfSatisfying(StateIntegrityException.class, e -> {
            assertThat(e.kind()).isEqualTo(StateIntegrityException.Kind.TAMPERED);
            assertThat(e.getMessage()).contains("changed outside the KeyService");
            assertThat(String.join("\n", e.findings())).contains(finding);
        });
        var report = StoreMaintenance.verify(db(), sealing);
        assertThat(report.consistent()).isFalse();
        assertThat(report.stateVersion()).isPositive();
        assertThat(String.join("\n", report.findings())).contains(finding);
    }

    @Test
    void aReplayedRevokedGrantIsRefusedAtOpen() throws Exception {
        Object[][] saved = new Object[1][];
        try (KeyStore s = open()) {
            s.addGrant(grant);
        }
        host(c -> saved[0] = row(c, "SELECT * FROM grants"));
        try (KeyStore s = open()) {
            assertThat(s.revokeGrant(grant)).isTrue();
        }
        assertThat(StoreMaintenance.verify(db(), sealing).consistent()).isTrue();
        host(c -> insert(c, "grants", saved[0]));
        assertTampered("vouches for 0 access-control rows, the database holds 1");
    }

    @Test
    void aReplayedRevokedSignerGrantIsRefusedAtOpen() throws Exception {
        Grant rule = new Grant(model, user.id(), org.sesemi.attestation.RuntimeRule.parse("sgx-signer:" + "ab".repeat(32) + ":7:3"));
        Object[][] saved = new Object[1][];
        try (KeyStore s = open()) {
            s.addGrant(rule);
        }
        host(c -> saved[0] = row(c, "SELECT * FROM grants"));
        try (KeyStore s = open()) {
            assertThat(s.grants(model)).extracting(KeyStore.GrantRow::grant).containsExactly(rule);
            assertThat(s.revokeGrant(rule)).isTrue();
        }
        host(c -> insert(c, "grants", saved[0]));
        assertTampered("vouches for 0 access-control rows, the database holds 1");
    }

    @Test
    void aSignerGrantWhoseMinimumSvnTheHostLoweredIsRefusedAtOpen() throws Exception {
        Grant rule = new Grant(model, user.id(), org.sesemi.attestation.RuntimeRule.parse("sgx-signer:" + "ab".repeat(32) + ":7:3"));
        try (KeyStore s = open()) {
            s.addGrant(rule);
        }
        host(c -> c.createStatement().executeUpdate("UPDATE grants SET measurement = replace(measurement, ':7:3', ':7:0')"));
        assertThatThrownBy(this::open).isInstanceOfSatisfying(StateIntegrityException.class,
                e -> assertThat(e.kind()).isEqualTo(StateIntegrityException.Kind.TAMPERED));
    }

    @Test
    void aRetiredModelKeyIsGoneAndWritingItBackIsRefusedAtOpen() throws Exception {
        Object[][] saved = new Object[1][];
        try (KeyStore s = open()) {
            s.putModelKey(model, ModelKey.generate(1));
            s.putModelKey(model, ModelKey.generate(2));
            s.addGrant(grant);
            s.putRequestKey(model, m, user.id(), RequestKey.generate());
        }
        host(c -> saved[0] = row(c, "SELECT * FROM model_keys WHERE version = 1"));
        try (KeyStore s = open()) {
            assertThat(s.retireModelKey(model, 2)).isEqualTo(KeyStore.RetireOutcome.NEWEST);
            assertThat(s.retireModelKey(model, 3)).isEqualTo(KeyStore.RetireOutcome.NOT_STORED);
            assertThat(s.retireModelKey(model, 1)).isEqualTo(KeyStore.RetireOutcome.RETIRED);
            assertThat(s.retireModelKey(model, 1)).isEqualTo(KeyStore.RetireOutcome.ALREADY_RETIRED);
            ReleaseView v1 = s.releaseView(model, user.id(), m, 1);
            assertThat(v1.modelKey()).isEmpty();
            assertThat(v1.keyRetired()).isTrue();
            assertThat(s.releaseView(model, user.id(), m, 2).modelKey()).hasValueSatisfying(k -> assertThat(k.version()).isEqualTo(2));
            assertThat(s.releaseView(model, user.id(), m, 3).keyRetired()).isFalse();
            assertThat(s.putModelKey(model, ModelKey.generate(1))).isEqualTo(KeyStore.PutOutcome.STALE_VERSION);
        }
        assertThat(StoreMaintenance.verify(db(), sealing).consistent()).isTrue();
        host(c -> insert(c, "model_keys", saved[0]));
        assertTampered("vouches for");
    }

    @Test
    void aDeletedNewestModelKeyIsRefusedAtOpen() throws Exception {
        try (KeyStore s = open()) {
            s.putModelKey(model, ModelKey.generate(1));
            s.putModelKey(model, ModelKey.generate(2));
        }
        host(c -> c.createStatement().executeUpdate("DELETE FROM model_keys WHERE version = 2"));
        assertTampered("rows deleted or inserted");
    }

    @Test
    void anOldRequestKeyWrittenBackIsRefusedAtOpen() throws Exception {
        Object[][] saved = new Object[1][];
        try (KeyStore s = open()) {
            s.putRequestKey(model, m, user.id(), RequestKey.generate());
        }
        host(c -> saved[0] = row(c, "SELECT * FROM request_keys"));
        try (KeyStore s = open()) {
            s.putRequestKey(model, m, user.id(), RequestKey.generate());
        }
        host(c -> insert(c, "request_keys", saved[0]));
        assertTampered("replaced by an older copy");
    }

    @Test
    void aDeletedOrEditedAuditRowIsRefusedAtOpen() throws Exception {
        try (KeyStore s = open()) {
            for (int i = 0; i < 5; i++) {
                audit(s, "release");
            }
        }
        host(c -> c.createStatement().executeUpdate("DELETE FROM audit WHERE seq = 3"));
        assertTampered("audit rows 3..3 are missing");
    }

    @Test
    void anEditedAuditRowIsRefusedAtOpen() throws Exception {
        try (KeyStore s = open()) {
            for (int i = 0; i < 5; i++) {
                audit(s, "release");
            }
        }
        host(c -> c.createStatement().executeUpdate("UPDATE audit SET outcome = 'denied', reason = 'no_grant' WHERE seq = 2"));
        assertTampered("audit row 2 does not continue the audit chain");
    }

    @Test
    void theNewestAuditRowsDeletedAreRefusedAtOpen() throws Exception {
        try (KeyStore s = open()) {
            for (int i = 0; i < 5; i++) {
                audit(s, "release");
            }
        }
        host(c -> c.createStatement().executeUpdate("DELETE FROM audit WHERE seq >= 4"));
        assertTampered("the audit log ends at seq 3, the sealed state head says 5");
    }

    @Test
    void aSwappedPrincipalKeyIsRefusedAtOpen() throws Exception {
        PrincipalIdentity stranger = PrincipalIdentity.generate();
        try (KeyStore s = open()) {
            s.registerPrincipal(owner.id(), owner.subjectPublicKeyInfo());
            s.registerPrincipal(stranger.id(), stranger.subjectPublicKeyInfo());
        }
        host(c -> {
            try (PreparedStatement p = c.prepareStatement("UPDATE principals SET public_key = ? WHERE id = ?")) {
                p.setBytes(1, stranger.subjectPublicKeyInfo());
                p.setString(2, owner.id().hex());
                p.executeUpdate();
            }
        });
        assertTampered("swapped");
    }

    @Test
    void aDeletedStateHeadIsRefusedAsUnsealed() throws Exception {
        try (KeyStore s = open()) {
            s.addGrant(grant);
        }
        host(c -> c.createStatement().executeUpdate("DELETE FROM state_head"));
        assertThatThrownBy(this::open).isInstanceOfSatisfying(StateIntegrityException.class,
                e -> assertThat(e.kind()).isEqualTo(StateIntegrityException.Kind.UNSEALED));
    }

    @Test
    void everyChangeRaisesTheVersionAndIdempotentWritesDoNot() {
        try (KeyStore s = open()) {
            long v0 = s.stateVersion();
            s.addGrant(grant);
            long v1 = s.stateVersion();
            assertThat(v1).isGreaterThan(v0);
            s.addGrant(grant);
            assertThat(s.stateVersion()).isEqualTo(v1);
            audit(s, "release");
            assertThat(s.stateVersion()).isGreaterThan(v1);
        }
        long before;
        try (KeyStore s = open()) {
            before = s.stateVersion();
        }
        assertThat(StoreMaintenance.verify(db(), sealing).stateVersion()).isEqualTo(before);
    }

    @Test
    void aWholeDatabaseRollbackOpensButIsCaughtByTheExpectedVersion() throws Exception {
        Path old = dir.resolve("old.db");
        long newest;
        try (KeyStore s = open()) {
            s.addGrant(grant);
            s.backup(old);
            s.revokeGrant(grant);
            newest = s.stateVersion();
        }
        // The host copies the old (consistent, sealed) file back.
        for (String suffix : new String[] {"-wal", "-shm"}) {
            Files.deleteIfExists(dir.resolve("ks.db" + suffix));
        }
        Files.copy(old, db(), StandardCopyOption.REPLACE_EXISTING);
        try (KeyStore s = open()) {
            // One enclave without a trusted counter cannot tell: the rolled-back state is consistent, but older.
            assertThat(s.stateVersion()).isLessThan(newest);
            assertThat(s.grants(model)).hasSize(1);
        }
        assertThatThrownBy(() -> KeyStore.open(db(), sealing, Clock.systemUTC(), newest))
                .isInstanceOfSatisfying(StateIntegrityException.class, e -> {
                    assertThat(e.kind()).isEqualTo(StateIntegrityException.Kind.ROLLED_BACK);
                    assertThat(e.getMessage()).contains("below the expected " + newest);
                });
        KeyStore.open(db(), sealing, Clock.systemUTC(), newest - 1).close();
    }

    @Test
    void aRestoreGetsAVersionAboveEverythingServedBeforeAndIsAudited() throws Exception {
        Path backup = dir.resolve("backup.db");
        long served;
        try (KeyStore s = open()) {
            s.addGrant(grant);
            s.backup(backup);
            for (int i = 0; i < 10; i++) {
                audit(s, "release");
            }
            served = s.stateVersion();
        }
        var report = StoreMaintenance.restore(backup, db(), sealing, 0);
        assertThat(report.consistent()).isTrue();
        assertThat(report.stateVersion()).isGreaterThan(served);
        var withFloor = StoreMaintenance.restore(backup, db(), sealing, 1000);
        assertThat(withFloor.stateVersion()).isGreaterThan(1000);
        try (KeyStore s = KeyStore.open(db(), sealing, Clock.systemUTC(), 1001)) {
            assertThat(s.grants(model)).hasSize(1);
            assertThat(StoreMaintenance.verify(db(), sealing).findings()).isEmpty();
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db()); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT count(*) FROM audit WHERE event = 'state_restored' AND actor = 'operator'")) {
            assertThat(rs.getLong(1)).isEqualTo(1); // the second restore started again from the backup
        }
    }

    @Test
    void anOperatorResealAcceptsTheRowsKeepsAuditGapsVisibleAndRaisesTheVersion() throws Exception {
        Object[][] saved = new Object[1][];
        long before;
        try (KeyStore s = open()) {
            s.addGrant(grant);
            for (int i = 0; i < 4; i++) {
                audit(s, "release");
            }
            before = s.stateVersion();
        }
        host(c -> {
            saved[0] = row(c, "SELECT * FROM grants");
            c.createStatement().executeUpdate("DELETE FROM grants");
            c.createStatement().executeUpdate("DELETE FROM audit WHERE seq = 2");
        });
        assertTampered("audit rows 2..2 are missing");
        var report = StoreMaintenance.reseal(db(), sealing, 0);
        assertThat(report.consistent()).isTrue();
        assertThat(report.stateVersion()).isGreaterThan(before);
        try (KeyStore s = open()) {
            assertThat(s.grants(model)).isEmpty();
            var events = s.auditVisibleTo(owner.id(), Optional.empty(), 0, 100);
            assertThat(events).extracting(AuditEvent::seq).containsExactly(1L, 3L, 4L);
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db()); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT event FROM audit WHERE seq IN (2, 5) ORDER BY seq")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("audit_rows_missing");
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("state_resealed");
        }
    }

    @Test
    void aResealRefusesRowsThatAreNotThisKeyServicesOwn() throws Exception {
        try (KeyStore s = open()) {
            s.addGrant(grant);
        }
        host(c -> c.createStatement().executeUpdate("UPDATE grants SET created_at = created_at + 1"));
        assertThatThrownBy(() -> StoreMaintenance.reseal(db(), sealing, 0)).isInstanceOf(StateIntegrityException.class)
                .hasMessageContaining("not this KeyService's own");
    }

    @Test
    void aDatabaseOfTheOlderSchemaNeedsAnOperatorReseal() throws Exception {
        try (KeyStore s = open()) {
            s.addGrant(grant);
            audit(s, "grant_add");
        }
        host(c -> {
            Statement st = c.createStatement();
            st.executeUpdate("DROP TABLE state_head");
            st.executeUpdate("ALTER TABLE audit DROP COLUMN chain");
            st.executeUpdate("PRAGMA user_version = 1");
        });
        assertThatThrownBy(this::open).isInstanceOfSatisfying(StateIntegrityException.class,
                e -> assertThat(e.kind()).isEqualTo(StateIntegrityException.Kind.UNSEALED));
        assertThat(StoreMaintenance.reseal(db(), sealing, 0).consistent()).isTrue();
        try (KeyStore s = open()) {
            assertThat(s.grants(model)).hasSize(1);
        }
    }

    @Test
    void databaseFilesAndBackupsAreOwnerOnly() throws Exception {
        Path backup = dir.resolve("b.db");
        try (KeyStore s = open()) {
            s.addGrant(grant);
            for (String f : new String[] {"ks.db", "ks.db-wal", "ks.db-shm"}) {
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(f)))).as(f).isEqualTo("rw-------");
            }
            s.backup(backup);
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(backup))).isEqualTo("rw-------");
        StoreMaintenance.restore(backup, db(), sealing, 0);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(db()))).isEqualTo("rw-------");
    }
}
