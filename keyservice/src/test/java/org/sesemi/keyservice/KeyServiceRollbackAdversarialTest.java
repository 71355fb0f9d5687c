package org.sesemi.keyservice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sesemi.attestation.Measurement;
import org.sesemi.client.keyservice.AuditQuery;
import org.sesemi.client.keyservice.KeyServiceClient;
import org.sesemi.client.keyservice.KeyServiceException;
import org.sesemi.client.keyservice.StateVersions;
import org.sesemi.crypto.ModelId;
import org.sesemi.crypto.ModelKey;
import org.sesemi.crypto.PrincipalIdentity;
import org.sesemi.crypto.RequestKey;
import org.sesemi.keyservice.store.StateIntegrityException;
import org.sesemi.keyservice.store.StoreMaintenance;

/**
 * The host attacks a running KeyService's database through its own SQLite connection (replaying a revoked grant,
 * deleting the newest model key, writing back an old request key, deleting or editing audit rows, swapping a
 * principal's public key): answers are unaffected or refused, {@code verify} reports it, and a restart is refused
 * until an operator acts. A whole-database rollback is refused by clients that saw a newer state version.
 */
class KeyServiceRollbackAdversarialTest {
    @TempDir Path dir;
    KsFixture ks;
    final PrincipalIdentity owner = PrincipalIdentity.generate();
    final PrincipalIdentity user = PrincipalIdentity.generate();
    ModelId model;
    Measurement rtm;

    @BeforeEach
    void start() {
        ks = new KsFixture(dir);
        model = new ModelId(owner.id(), "minilm");
        rtm = ks.runtimeTee("runtime").measurement();
        try (KeyServiceClient o = ks.principal(owner); KeyServiceClient u = ks.principal(user)) {
            o.register();
            u.register();
        }
    }

    @AfterEach
    void stop() {
        if (ks != null) {
            ks.close();
        }
    }

    interface Sql {
        void run(Connection c) throws Exception;
    }

    /** The host's own connection to the live database file. */
    void host(Sql s) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("ks.db"))) {
            c.createStatement().execute("PRAGMA busy_timeout = 10000");
            s.run(c);
        }
    }

    static Object[] row(Connection c, String sql) throws Exception {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            assertThat(rs.next()).as(sql).isTrue();
            Object[] out = new Object[rs.getMetaData().getColumnCount()];
            for (int i = 0; i < out.length; i++) {
                out[i] = rs.getObject(i + 1);
            }
            return out;
        }
    }

    static void put(Connection c, String table, Object[] values) throws Exception {
        try (PreparedStatement p = c.prepareStatement("INSERT OR REPLACE INTO " + table + " VALUES ("
                + String.join(", ", Collections.nCopies(values.length, "?")) + ")")) {
            for (int i = 0; i < values.length; i++) {
                p.setObject(i + 1, values[i]);
            }
            p.executeUpdate();
        }
    }

    /** Live tampering shows in verify; after a restart the KeyService refuses the database. */
    void assertRefusedAfterRestart(String finding) {
        var report = StoreMaintenance.verify(dir.resolve("ks.db"), ks.server.tee().sealingKey());
        assertThat(report.consistent()).as("verify on the live file").isFalse();
        assertThat(String.join("\n", report.findings())).contains(finding);
        ks.close();
        ks = null;
        assertThatThrownBy(() -> new KsFixture(dir)).isInstanceOfSatisfying(StateIntegrityException.class, e -> {
            assertThat(e.kind()).isEqualTo(StateIntegrityException.Kind.TAMPERED);
            assertThat(e.getMessage()).contains("refusing to serve");
        });
    }

    private void grantAndKeys(KeyServiceClient o, KeyServiceClient u, RequestKey rk) {
        o.putModelKey(model, ModelKey.generate(1));
        o.addGrant(model, user.id(), rtm);
        u.putRequestKey(model, rtm, rk);
    }

    @Test
    void aRevokedGrantReplayedWhileRunningReleasesNothing() throws Exception {
        Object[][] saved = new Object[1][];
        try (KeyServiceClient o = ks.principal(owner); KeyServiceClient u = ks.principal(user); KeyServiceClient rt = ks.runtime("runtime")) {
            grantAndKeys(o, u, RequestKey.generate());
            rt.release(user.id(), model);
            host(c -> saved[0] = row(c, "SELECT * FROM grants"));
            assertThat(o.revokeGrant(model, user.id(), rtm)).isTrue();
            host(c -> put(c, "grants", saved[0]));
            assertThatThrownBy(() -> rt.release(user.id(), model)).isInstanceOfSatisfying(KeyServiceException.class,
                    e -> assertThat(e.reason()).isEqualTo("no_grant"));
            assertThat(o.listGrants(model)).isEmpty();
        }
        assertRefusedAfterRestart("the database holds");
    }

    @Test
    void theNewestModelKeyDeletedWhileRunningIsStillTheOneReleased() throws Exception {
        ModelKey v2 = ModelKey.generate(2);
        try (KeyServiceClient o = ks.principal(owner); KeyServiceClient u = ks.principal(user); KeyServiceClient rt = ks.runtime("runtime")) {
            grantAndKeys(o, u, RequestKey.generate());
            o.putModelKey(model, v2);
            host(c -> c.createStatement().executeUpdate("DELETE FROM model_keys WHERE version = 2"));
            assertThat(rt.release(user.id(), model).modelKey()).isEqualTo(v2);
            assertThat(rt.release(user.id(), model, 2).modelKey()).isEqualTo(v2);
        }
        assertRefusedAfterRestart("rows deleted or inserted");
    }

    @Test
    void anOldRequestKeyWrittenBackWhileRunningIsNotReleased() throws Exception {
        Object[][] saved = new Object[1][];
        RequestKey current = RequestKey.generate();
        try (KeyServiceClient o = ks.principal(owner); KeyServiceClient u = ks.principal(user); KeyServiceClient rt = ks.runtime("runtime")) {
            grantAndKeys(o, u, RequestKey.generate());
            host(c -> saved[0] = row(c, "SELECT * FROM request_keys"));
            u.putRequestKey(model, rtm, current);
            host(c -> put(c, "request_keys", saved[0]));
            assertThat(rt.release(user.id(), model).requestKey()).isEqualTo(current);
        }
        assertRefusedAfterRestart("replaced by an older copy");
    }

    @Test
    void anAuditRowDeletedWhileRunningMakesTheAuditReadFail() throws Exception {
        try (KeyServiceClient o = ks.principal(owner); KeyServiceClient u = ks.principal(user); KeyServiceClient rt = ks.runtime("runtime")) {
            grantAndKeys(o, u, RequestKey.generate());
            rt.release(user.id(), model);
            var events = o.audit(AuditQuery.all());
            long grantSeq = events.stream().filter(e -> e.event().equals("grant_add")).findFirst().orElseThrow().seq();
            host(c -> c.createStatement().executeUpdate("DELETE FROM audit WHERE seq = " + grantSeq));
            assertThatThrownBy(() -> o.audit(AuditQuery.all())).isInstanceOfSatisfying(KeyServiceException.class, e -> {
                assertThat(e.reason()).isEqualTo("state_tampered");
                assertThat(e.getMessage()).contains("outside the KeyService");
            });
            // The user, whose view also covered that row, is refused as well; releases go on from enclave memory.
            assertThatThrownBy(() -> u.audit(AuditQuery.all())).isInstanceOf(KeyServiceException.class);
            rt.release(user.id(), model);
        }
        assertRefusedAfterRestart("are missing");
    }

    @Test
    void anAuditRowEditedWhileRunningMakesTheAuditReadFail() throws Exception {
        try (KeyServiceClient o = ks.principal(owner); KeyServiceClient u = ks.principal(user); KeyServiceClient rt = ks.runtime("runtime")) {
            grantAndKeys(o, u, RequestKey.generate());
            rt.release(user.id(), model);
            long releaseSeq = o.audit(AuditQuery.all()).stream().filter(e -> e.event().equals("release")).findFirst().orElseThrow().seq();
            // Make the release look denied (hiding that keys left).
            host(c -> c.createStatement().executeUpdate("UPDATE audit SET outcome = 'denied', reason = 'no_grant' WHERE seq = " + releaseSeq));
            assertThatThrownBy(() -> o.audit(AuditQuery.all())).isInstanceOfSatisfying(KeyServiceException.class,
                    e -> assertThat(e.reason()).isEqualTo("state_tampered"));
        }
        assertRefusedAfterRestart("does not continue the audit chain");
    }

    @Test
    void aPrincipalKeySwappedWhileRunningIsFoundByVerifyAndRefusedAtRestart() throws Exception {
        PrincipalIdentity host = PrincipalIdentity.generate();
        host(c -> {
            try (PreparedStatement p = c.prepareStatement("UPDATE principals SET public_key = ? WHERE id = ?")) {
                p.setBytes(1, host.subjectPublicKeyInfo());
                p.setString(2, owner.id().hex());
                assertThat(p.executeUpdate()).isEqualTo(1);
            }
        });
        try (KeyServiceClient o = ks.principal(owner)) {
            assertThat(o.register().created()).isFalse(); // enclave memory still knows the owner
        }
        assertRefusedAfterRestart("swapped");
    }

    @Test
    void aRefusedDatabaseStopsTheProcessWithItsOwnExitCode() throws Exception {
        host(c -> c.createStatement().executeUpdate("DELETE FROM principals"));
        ks.close();
        ks = null;
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                KeyServiceMain.class.getName(), "--db", dir.resolve("ks.db").toString(), "--simulated-dir", dir.resolve("tee").toString());
        Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        String err;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
            err = String.join("\n", r.lines().toList());
        }
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(KeyServiceMain.STATE_REFUSED_EXIT);
        assertThat(err).contains("changed outside the KeyService");
    }

    @Test
    void clientsRefuseAWholeDatabaseRolledBackToAnOlderCopy() throws Exception {
        Path versions = dir.resolve("owner.identity.ks-state");
        Path old = dir.resolve("old.db");
        long seen;
        try (KeyServiceClient o = KeyServiceClient.forPrincipal(ks.endpoint, owner, StateVersions.file(versions));
                KeyServiceClient u = ks.principal(user); KeyServiceClient rt = ks.runtime("runtime")) {
            grantAndKeys(o, u, RequestKey.generate());
            StoreMaintenance.backupFile(dir.resolve("ks.db"), old); // the host keeps a copy
            assertThat(o.revokeGrant(model, user.id(), rtm)).isTrue();
            seen = o.lastStateVersion();
            assertThat(seen).isPositive();
            assertThat(StateVersions.file(versions).highest(ks.server.uri().toString())).isEqualTo(seen);
        }
        // The host stops the KeyService and puts the old, consistent file back: the revoked grant is in force again.
        int port = ks.server.port();
        ks.close();
        ks = null;
        for (String suffix : new String[] {"-wal", "-shm"}) {
            Files.deleteIfExists(dir.resolve("ks.db" + suffix));
        }
        Files.copy(old, dir.resolve("ks.db"), StandardCopyOption.REPLACE_EXISTING);
        ks = new KsFixture(dir, c -> c.port(port));
        try (KeyServiceClient rt = ks.runtime("runtime")) {
            rt.release(user.id(), model); // one enclave without a trusted counter cannot tell ...
        }
        // ... but the owner's client, which saw a newer version of this KeyService, refuses every answer.
        try (KeyServiceClient o = KeyServiceClient.forPrincipal(ks.endpoint, owner, StateVersions.file(versions))) {
            assertThatThrownBy(() -> o.listGrants(model)).isInstanceOfSatisfying(KeyServiceException.class, e -> {
                assertThat(e.reason()).isEqualTo(KeyServiceException.STATE_ROLLBACK);
                assertThat(e.getMessage()).contains("below version " + seen).contains("rolled back");
            });
        }
        ks.close();
        ks = null;
        // An operator who knows the newest version refuses to start on the old copy.
        long expect = seen;
        assertThatThrownBy(() -> new KsFixture(dir, c -> c.expectedStateVersion(expect)))
                .isInstanceOfSatisfying(StateIntegrityException.class,
                        e -> assertThat(e.kind()).isEqualTo(StateIntegrityException.Kind.ROLLED_BACK));
    }
}
