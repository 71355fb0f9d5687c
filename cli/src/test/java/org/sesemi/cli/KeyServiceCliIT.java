package org.sesemi.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sesemi.attestation.Measurement;
import org.sesemi.attestation.tee.SimulatedTee;
import org.sesemi.attestation.VerificationPolicy;
import org.sesemi.attestation.ratls.RaTls;
import org.sesemi.client.keyservice.KeyRelease;
import org.sesemi.client.keyservice.KeyServiceClient;
import org.sesemi.client.keyservice.KeyServiceEndpoint;
import org.sesemi.client.keyservice.KeyServiceException;
import org.sesemi.client.keyservice.RequestKeyFile;
import org.sesemi.crypto.ModelId;
import org.sesemi.crypto.ModelKeyFile;
import org.sesemi.crypto.PrincipalId;

/**
 * The owner's and user's whole KeyService flow through the real assembled {@code sesemi} command against a running
 * {@code sesemi keyservice serve} (SIMULATED TEE), then a test runtime with the granted measurement obtains exactly
 * the keys in the owner's and user's key files, and nothing else.
 */
class KeyServiceCliIT {
    @TempDir Path dir;
    Process server;

    @AfterEach
    void stopServer() throws Exception {
        if (server != null) {
            server.destroy();
            server.waitFor(20, TimeUnit.SECONDS);
        }
    }

    /** Starts {@code sesemi keyservice serve} and returns its "listening" line's URL and measurement. */
    private String[] serve() throws Exception {
        Path out = dir.resolve("serve.out");
        server = SesemiProcess.start(out, dir.resolve("serve.err"), "keyservice", "serve", "--port", "0", "--db", dir.resolve("ks.db").toString(),
                "--tee-dir", dir.resolve("tee").toString(), "--root-out", dir.resolve("root.pem").toString());
        return listening(out, server, dir.resolve("serve.err"));
    }

    /** The URL and measurement of a {@code sesemi keyservice serve}'s "listening on URL measurement M" line, once printed. */
    static String[] listening(Path out, Process p, Path err) throws Exception {
        String line = ServerProcesses.awaitLine(out, p, err, Pattern.compile("(keyservice listening on \\S+ measurement \\S+)"), Duration.ofSeconds(90));
        String[] w = line.split("\\s+");
        return new String[] {w[3], w[5]};
    }

    private static String stdout(SesemiProcess.Result r) {
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        return r.stdout().strip();
    }

    @Test
    void ownerAndUserDoTheWholeFlowAndARuntimeGetsExactlyTheGrantedKeys() throws Exception {
        String[] ks = serve();
        Map<String, String> env = new HashMap<>(Map.of("SESEMI_KS_URL", ks[0], "SESEMI_KS_MEASUREMENT", ks[1],
                "SESEMI_KS_TRUST_ROOT", dir.resolve("root.pem").toString()));
        String owner = stdout(SesemiProcess.run("identity", "create", "--out", dir.resolve("owner.pem").toString()));
        String user = stdout(SesemiProcess.run("identity", "create", "--out", dir.resolve("user.pem").toString()));
        String other = stdout(SesemiProcess.run("identity", "create", "--out", dir.resolve("other.pem").toString()));
        String model = owner + "/mobilenet";
        // The test runtime: a simulated TEE role measured in this JVM (the KeyService trusts the same simulated root).
        SimulatedTee runtimeTee = SimulatedTee.open(dir.resolve("tee"), "it-runtime");
        Measurement granted = runtimeTee.measurement();
        Measurement notGranted = SimulatedTee.open(dir.resolve("tee"), "it-other-runtime").measurement();

        Map<String, String> asOwner = new HashMap<>(env);
        asOwner.put("SESEMI_IDENTITY", dir.resolve("owner.pem").toString());
        Map<String, String> asUser = new HashMap<>(env);
        asUser.put("SESEMI_IDENTITY", dir.resolve("user.pem").toString());

        assertThat(stdout(SesemiProcess.run(asOwner, "keyservice", "register"))).isEqualTo("registered " + owner);
        assertThat(stdout(SesemiProcess.run(asOwner, "keyservice", "register"))).isEqualTo("already registered " + owner);
        assertThat(stdout(SesemiProcess.run(asUser, "keyservice", "register"))).isEqualTo("registered " + user);
        stdout(SesemiProcess.run("model", "key", "new", "--model-id", model, "--version", "1", "--out", dir.resolve("mk.json").toString()));
        assertThat(stdout(SesemiProcess.run(asOwner, "model", "key", "put", "--key", dir.resolve("mk.json").toString())))
                .startsWith("stored model key");
        assertThat(stdout(SesemiProcess.run(asOwner, "grant", "add", "--model-id", model, "--user", user,
                "--measurement", granted.value()))).startsWith("added grant");
        assertThat(stdout(SesemiProcess.run(asOwner, "grant", "list", "--model-id", model))).isEqualTo(user + " " + granted.value());
        assertThat(stdout(SesemiProcess.run(asUser, "request-key", "put", "--model-id", model, "--measurement", granted.value(),
                "--key-out", dir.resolve("rk.json").toString()))).startsWith("stored request key");

        // Errors are one clear line, and change nothing.
        var userListing = SesemiProcess.run(asUser, "grant", "list", "--model-id", model);
        assertThat(userListing.exitCode()).isEqualTo(1);
        assertThat(userListing.stderr().strip().lines().filter(l -> !l.contains("WARN")).toList()).singleElement()
                .satisfies(l -> assertThat(l).contains("forbidden").contains("belongs to another principal"));
        var wrongPin = SesemiProcess.run(Map.of("SESEMI_KS_URL", ks[0], "SESEMI_KS_MEASUREMENT", notGranted.value(),
                "SESEMI_KS_TRUST_ROOT", dir.resolve("root.pem").toString(), "SESEMI_IDENTITY", dir.resolve("other.pem").toString()),
                "keyservice", "register");
        assertThat(wrongPin.exitCode()).isEqualTo(1);
        assertThat(wrongPin.stderr()).contains("attestation was rejected").contains("measurement_mismatch");
        var noPin = SesemiProcess.run(Map.of("SESEMI_KS_URL", ks[0], "SESEMI_IDENTITY", dir.resolve("other.pem").toString()),
                "keyservice", "register");
        assertThat(noPin.exitCode()).isEqualTo(1);
        assertThat(noPin.stderr()).contains("measurement is not pinned");

        // The runtime with the granted measurement gets exactly the owner's and the user's keys.
        VerificationPolicy ksPolicy = VerificationPolicy.simulated(SimulatedTee.open(dir.resolve("tee"), "keyservice")).toBuilder()
                .expectMeasurement(Measurement.parse(ks[1])).build();
        KeyServiceEndpoint endpoint = new KeyServiceEndpoint(java.net.URI.create(ks[0]), ksPolicy);
        ModelId modelId = ModelId.parse(model);
        try (KeyServiceClient rt = KeyServiceClient.forRuntime(endpoint, RaTls.issue(runtimeTee, Duration.ofHours(1)));
                KeyServiceClient wrong = KeyServiceClient.forRuntime(endpoint,
                        RaTls.issue(SimulatedTee.open(dir.resolve("tee"), "it-other-runtime"), Duration.ofHours(1)))) {
            KeyRelease rel = rt.release(PrincipalId.parse(user), modelId);
            assertThat(rel.modelKey()).isEqualTo(ModelKeyFile.read(dir.resolve("mk.json")).key());
            assertThat(rel.requestKey()).isEqualTo(RequestKeyFile.read(dir.resolve("rk.json")).key());
            assertThatThrownBy(() -> rt.release(PrincipalId.parse(other), modelId)).isInstanceOfSatisfying(KeyServiceException.class,
                    e -> assertThat(e.reason()).isEqualTo("no_grant"));
            assertThatThrownBy(() -> wrong.release(PrincipalId.parse(user), modelId)).isInstanceOfSatisfying(KeyServiceException.class,
                    e -> assertThat(e.reason()).isEqualTo("no_grant"));
        }

        // The owner's audit view shows the release and the denials; revocation via the CLI stops releases.
        String audit = stdout(SesemiProcess.run(asOwner, "audit", "--model-id", model));
        assertThat(audit).contains("\"event\":\"release\"").contains("\"outcome\":\"allowed\"").contains("\"reason\":\"no_grant\"");
        assertThat(stdout(SesemiProcess.run(asOwner, "grant", "revoke", "--model-id", model, "--user", user,
                "--measurement", granted.value()))).startsWith("revoked grant");
        try (KeyServiceClient rt = KeyServiceClient.forRuntime(endpoint, RaTls.issue(runtimeTee, Duration.ofHours(1)))) {
            assertThatThrownBy(() -> rt.release(PrincipalId.parse(user), modelId)).isInstanceOfSatisfying(KeyServiceException.class,
                    e -> assertThat(e.reason()).isEqualTo("no_grant"));
        }

        // Backup while running; the backup verifies under the KeyService's sealing key... only in the same build,
        // which this JVM is not (other class path = other simulated measurement), so check that it is sealed-only.
        stdout(SesemiProcess.run("keyservice", "backup", "--db", dir.resolve("ks.db").toString(), "--out", dir.resolve("b.db").toString()));
        byte[] backup = Files.readAllBytes(dir.resolve("b.db"));
        assertThat(new String(backup, StandardCharsets.ISO_8859_1)).contains("model_keys")
                .doesNotContain(java.util.Base64.getEncoder().encodeToString(ModelKeyFile.read(dir.resolve("mk.json")).key().exportSecret()));
        var restoreWhileRunning = SesemiProcess.run("keyservice", "restore", "--db", dir.resolve("ks.db").toString(),
                "--from", dir.resolve("b.db").toString(), "--tee-dir", dir.resolve("tee").toString());
        assertThat(restoreWhileRunning.exitCode()).isEqualTo(1);
    }

    @Test
    void aSignerGrantFromTheCliAdmitsNewBuildsOfThatSignerOnly() throws Exception {
        String[] ks = serve();
        Map<String, String> env = new HashMap<>(Map.of("SESEMI_KS_URL", ks[0], "SESEMI_KS_MEASUREMENT", ks[1],
                "SESEMI_KS_TRUST_ROOT", dir.resolve("root.pem").toString()));
        String owner = stdout(SesemiProcess.run("identity", "create", "--out", dir.resolve("owner.pem").toString()));
        String user = stdout(SesemiProcess.run("identity", "create", "--out", dir.resolve("user.pem").toString()));
        String model = owner + "/bert";
        Map<String, String> asOwner = new HashMap<>(env);
        asOwner.put("SESEMI_IDENTITY", dir.resolve("owner.pem").toString());
        Map<String, String> asUser = new HashMap<>(env);
        asUser.put("SESEMI_IDENTITY", dir.resolve("user.pem").toString());
        String signer = "5e".repeat(32);
        String rule = "sgx-signer:" + signer + ":7:2";

        stdout(SesemiProcess.run(asOwner, "keyservice", "register"));
        stdout(SesemiProcess.run("model", "key", "new", "--model-id", model, "--version", "1", "--out", dir.resolve("mk.json").toString()));
        stdout(SesemiProcess.run(asOwner, "model", "key", "put", "--key", dir.resolve("mk.json").toString()));
        assertThat(stdout(SesemiProcess.run(asOwner, "grant", "add", "--model-id", model, "--user", user, "--signer", signer,
                "--prod-id", "7", "--min-svn", "2"))).isEqualTo("added grant " + model + " " + user + " " + rule);
        assertThat(stdout(SesemiProcess.run(asOwner, "grant", "list", "--model-id", model))).isEqualTo(user + " " + rule);
        var incomplete = SesemiProcess.run(asOwner, "grant", "add", "--model-id", model, "--user", user, "--signer", signer);
        assertThat(incomplete.exitCode()).isNotZero();
        assertThat(incomplete.stderr()).contains("--prod-id").contains("--min-svn");
        assertThat(stdout(SesemiProcess.run(asUser, "request-key", "put", "--model-id", model, "--signer", signer, "--prod-id", "7",
                "--min-svn", "2", "--key-out", dir.resolve("rk.json").toString()))).isEqualTo("stored request key for " + model + " " + rule);

        VerificationPolicy ksPolicy = VerificationPolicy.simulated(SimulatedTee.open(dir.resolve("tee"), "keyservice")).toBuilder()
                .expectMeasurement(Measurement.parse(ks[1])).build();
        KeyServiceEndpoint endpoint = new KeyServiceEndpoint(java.net.URI.create(ks[0]), ksPolicy);
        ModelId modelId = ModelId.parse(model);
        SimulatedTee svn3 = SimulatedTee.open(dir.resolve("tee"), "it-runtime", Map.of(SimulatedTee.CONFIG_MRSIGNER, signer,
                SimulatedTee.CONFIG_ISVPRODID, "7", SimulatedTee.CONFIG_ISVSVN, "3"));
        SimulatedTee svn1 = SimulatedTee.open(dir.resolve("tee"), "it-runtime", Map.of(SimulatedTee.CONFIG_MRSIGNER, signer,
                SimulatedTee.CONFIG_ISVPRODID, "7", SimulatedTee.CONFIG_ISVSVN, "1"));
        try (KeyServiceClient newer = KeyServiceClient.forRuntime(endpoint, RaTls.issue(svn3, Duration.ofHours(1)));
                KeyServiceClient older = KeyServiceClient.forRuntime(endpoint, RaTls.issue(svn1, Duration.ofHours(1)))) {
            KeyRelease rel = newer.release(PrincipalId.parse(user), modelId);
            assertThat(rel.requestKey()).isEqualTo(RequestKeyFile.read(dir.resolve("rk.json")).key());
            assertThatThrownBy(() -> older.release(PrincipalId.parse(user), modelId)).isInstanceOfSatisfying(KeyServiceException.class,
                    e -> assertThat(e.reason()).isEqualTo("no_grant"));
        }
        assertThat(stdout(SesemiProcess.run(asOwner, "audit", "--model-id", model))).contains("\"reason\":\"grant=" + rule + "\"")
                .contains("\"measurement\":\"" + rule + "\"");
        assertThat(stdout(SesemiProcess.run(asOwner, "grant", "revoke", "--model-id", model, "--user", user, "--measurement", rule)))
                .startsWith("revoked grant");
        try (KeyServiceClient newer = KeyServiceClient.forRuntime(endpoint, RaTls.issue(svn3, Duration.ofHours(1)))) {
            assertThatThrownBy(() -> newer.release(PrincipalId.parse(user), modelId)).isInstanceOfSatisfying(KeyServiceException.class,
                    e -> assertThat(e.reason()).isEqualTo("no_grant"));
        }
    }

    @Test
    void anOwnerRetiresAnOldModelKeyVersionFromTheCli() throws Exception {
        String[] ks = serve();
        Map<String, String> asOwner = new HashMap<>(Map.of("SESEMI_KS_URL", ks[0], "SESEMI_KS_MEASUREMENT", ks[1],
                "SESEMI_KS_TRUST_ROOT", dir.resolve("root.pem").toString(), "SESEMI_IDENTITY", dir.resolve("owner.pem").toString()));
        String owner = stdout(SesemiProcess.run("identity", "create", "--out", dir.resolve("owner.pem").toString()));
        String model = owner + "/bert";
        stdout(SesemiProcess.run(asOwner, "keyservice", "register"));
        for (int v = 1; v <= 2; v++) {
            Path key = dir.resolve("mk" + v + ".json");
            stdout(SesemiProcess.run("model", "key", "new", "--model-id", model, "--version", Integer.toString(v), "--out", key.toString()));
            stdout(SesemiProcess.run(asOwner, "model", "key", "put", "--key", key.toString()));
        }
        assertThat(stdout(SesemiProcess.run(asOwner, "model", "key", "retire", "--model", model, "--version", "1")))
                .isEqualTo("retired model key " + model + " version 1");
        assertThat(stdout(SesemiProcess.run(asOwner, "model", "key", "retire", "--model-id", model, "--version", "1")))
                .isEqualTo("already retired model key " + model + " version 1");
        var newest = SesemiProcess.run(asOwner, "model", "key", "retire", "--model", model, "--version", "2");
        assertThat(newest.exitCode()).isEqualTo(1);
        assertThat(newest.stderr()).contains("conflict").contains("newest");
        assertThat(stdout(SesemiProcess.run(asOwner, "audit", "--model-id", model))).contains("\"event\":\"model_key_retire\"")
                .contains("version=1");
    }

    /** Row-level tampering shows in verify (exit 4) and stops serve (exit 4) until the operator reseals. */
    @Test
    void aDatabaseChangedOutsideTheKeyServiceIsReportedAndRefused() throws Exception {
        serve();
        String db = dir.resolve("ks.db").toString();
        String tee = dir.resolve("tee").toString();
        // The host plants a principal row (a registration that never happened).
        org.sesemi.crypto.PrincipalIdentity planted = org.sesemi.crypto.PrincipalIdentity.generate();
        try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + db);
                java.sql.PreparedStatement p = c.prepareStatement("INSERT INTO principals VALUES (?, ?, 0)")) {
            c.createStatement().execute("PRAGMA busy_timeout = 10000");
            p.setString(1, planted.id().hex());
            p.setBytes(2, planted.subjectPublicKeyInfo());
            p.executeUpdate();
        }
        var verify = SesemiProcess.run("keyservice", "verify", "--db", db, "--tee-dir", tee);
        assertThat(verify.exitCode()).as(verify.stderr()).isEqualTo(4);
        assertThat(verify.stdout()).contains("\"consistent\":false").contains("rows deleted or inserted");
        server.destroy();
        assertThat(server.waitFor(20, TimeUnit.SECONDS)).isTrue();
        server = null;
        var refused = SesemiProcess.run("keyservice", "serve", "--port", "0", "--db", db, "--tee-dir", tee);
        assertThat(refused.exitCode()).isEqualTo(4);
        assertThat(refused.stderr()).contains("changed outside the KeyService").contains("refusing to serve");
        var reseal = SesemiProcess.run("keyservice", "reseal", "--db", db, "--tee-dir", tee);
        assertThat(reseal.exitCode()).as(reseal.stderr()).isZero();
        assertThat(reseal.stdout()).contains("\"consistent\":true").contains("\"principals\":1");
        var rolledBack = SesemiProcess.run("keyservice", "serve", "--port", "0", "--db", db, "--tee-dir", tee,
                "--expect-state-version", "1000000");
        assertThat(rolledBack.exitCode()).isEqualTo(4);
        assertThat(rolledBack.stderr()).contains("below the expected 1000000");
    }
}
