package org.sesemi.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.sesemi.attestation.AttestationException;
import org.sesemi.attestation.tee.SimulatedTee;
import org.sesemi.attestation.TeeConfig;
import org.sesemi.attestation.TeeProvider;
import org.sesemi.attestation.TeeProviders;
import org.sesemi.client.keyservice.Registration;
import org.sesemi.keyservice.KeyServiceConfig;
import org.sesemi.keyservice.KeyServiceServer;
import org.sesemi.keyservice.store.StateIntegrityException;
import org.sesemi.keyservice.store.StoreMaintenance;
import org.sesemi.keyservice.store.StoreException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sesemi keyservice ...}: run the KeyService, register with it, and operate its store. */
@Command(name = "keyservice", mixinStandardHelpOptions = true, description = "The KeyService: attested key custody and access control.",
        subcommands = {KeyServiceCommand.Serve.class, KeyServiceCommand.Register.class, KeyServiceCommand.Backup.class,
            KeyServiceCommand.Restore.class, KeyServiceCommand.Verify.class, KeyServiceCommand.Reseal.class})
final class KeyServiceCommand {

    /** The TEE the KeyService runs in (flags win over SESEMI_TEE / SESEMI_TEE_DIR). */
    static final class TeeOptions {
        @Option(names = "--tee", description = "simulated (default; NO hardware protection), gramine-sgx or tdx (env SESEMI_TEE).")
        String tee;

        @Option(names = "--tee-dir", paramLabel = "DIR", description = "Simulated TEE state directory (env SESEMI_TEE_DIR; default ~/.sesemi/simulated-tee).")
        Path teeDir;

        TeeConfig config() {
            String kind = tee != null ? tee : System.getenv().getOrDefault("SESEMI_TEE", "simulated");
            String dir = teeDir != null ? teeDir.toString() : System.getenv("SESEMI_TEE_DIR");
            if (!List.of("simulated", "gramine-sgx", "tdx").contains(kind)) {
                throw new CliErrors.UserException("--tee must be simulated, gramine-sgx or tdx");
            }
            TeeConfig c = TeeConfig.of(kind, "keyservice");
            if (dir != null) {
                c = new TeeConfig(kind, Path.of(dir), "keyservice", c.enclaveConfig(), c.gramineAttestationDir(), c.tsmReportDir());
            }
            return c;
        }

        TeeProvider provider() {
            try {
                return TeeProviders.create(config());
            } catch (AttestationException e) {
                throw new CliErrors.UserException("TEE unavailable: " + e.getMessage());
            }
        }
    }

    @Command(name = "serve", mixinStandardHelpOptions = true,
            description = {"Run the KeyService (HTTPS, TLS 1.3, RA-TLS) until interrupted.",
                "Prints 'keyservice listening on URL measurement M' once ready. With the SIMULATED TEE, --root-out writes the",
                "simulated root certificate that clients pass as --ks-trust-root."})
    static final class Serve implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin TeeOptions tee = new TeeOptions();

        @Option(names = "--bind", defaultValue = "127.0.0.1", description = "Address to listen on (default ${DEFAULT-VALUE}).")
        String bind;

        @Option(names = "--port", defaultValue = "8443", description = "TCP port (default ${DEFAULT-VALUE}; 0 = any free port).")
        int port;

        @Option(names = "--db", paramLabel = "FILE", description = "Database file (default ~/.sesemi/keyservice/keyservice.db).")
        Path db;

        @Option(names = "--release-ttl", defaultValue = "60", paramLabel = "SECONDS",
                description = "How long runtimes may use released keys; bounds the revocation delay (default ${DEFAULT-VALUE}).")
        long ttl;

        @Option(names = "--rate", defaultValue = "200", description = "Requests per second per caller (0 = unlimited; default ${DEFAULT-VALUE}).")
        double rate;

        @Option(names = "--burst", defaultValue = "400", description = "Burst per caller (default ${DEFAULT-VALUE}).")
        int burst;

        @Option(names = "--max-body", defaultValue = "65536", paramLabel = "BYTES", description = "Request body limit (default ${DEFAULT-VALUE}).")
        int maxBody;

        @Option(names = "--root-out", paramLabel = "FILE", description = "SIMULATED TEE only: write the simulated root certificate (PEM) here.")
        Path rootOut;

        @Option(names = "--expect-state-version", defaultValue = "0", paramLabel = "N",
                description = {"Refuse to start unless the database's sealed state version is at least N (a database rolled back",
                    "to an older copy has a lower one; see docs/operations.md, \"State integrity\"). Default: no expectation."})
        long expectStateVersion;

        @Mixin CollateralOptions collateral = new CollateralOptions();

        @Override
        public Integer call() throws Exception {
            KeyServiceConfig cfg;
            try {
                KeyServiceConfig.Builder b = KeyServiceConfig.builder().host(bind).port(port).tee(tee.config())
                        .releaseTtl(Duration.ofSeconds(ttl)).rateLimit(rate, burst).maxBodyBytes(maxBody)
                        .runtimeVerification(collateral.verification()).expectedStateVersion(expectStateVersion);
                if (db != null) {
                    b.database(db);
                }
                cfg = b.build();
            } catch (IllegalArgumentException e) {
                throw new CliErrors.UserException(e.getMessage());
            }
            KeyServiceServer server;
            try {
                server = KeyServiceServer.start(cfg);
            } catch (StateIntegrityException e) {
                throw new CliErrors.StateRefused(e.getMessage());
            } catch (StoreException | AttestationException | IllegalArgumentException e) {
                throw new CliErrors.UserException(e.getMessage());
            } catch (java.io.UncheckedIOException e) {
                throw new CliErrors.UserException(e.getMessage());
            }
            if (rootOut != null) {
                if (!(server.tee() instanceof SimulatedTee s)) {
                    server.close();
                    throw new CliErrors.UserException("--root-out only applies to the simulated TEE");
                }
                Files.writeString(rootOut, org.sesemi.attestation.tee.Pki.pem(List.of(s.rootCertificate())));
            }
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                server.close();
                stopped.countDown();
            }, "keyservice-shutdown"));
            PrintWriter out = spec.commandLine().getOut();
            out.printf("keyservice listening on %s measurement %s tee %s%s%n", server.uri(), server.measurement(),
                    server.tee().name(), server.tee().isSimulated() ? " (SIMULATED: no hardware protection)" : "");
            out.flush();
            stopped.await();
            return 0;
        }
    }

    @Command(name = "register", mixinStandardHelpOptions = true, description = "Register your identity with the KeyService (idempotent).")
    static final class Register implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin KeyServiceCliOptions ks = new KeyServiceCliOptions();

        @Override
        public Integer call() {
            Registration r = ks.call(c -> c.register());
            spec.commandLine().getOut().println((r.created() ? "registered " : "already registered ") + r.principal());
            return 0;
        }
    }

    @Command(name = "backup", mixinStandardHelpOptions = true,
            description = "Copy the database consistently (also while the KeyService runs). The copy holds sealed blobs only.")
    static final class Backup implements Callable<Integer> {
        @Spec CommandSpec spec;

        @Option(names = "--db", paramLabel = "FILE", description = "Database file (default ~/.sesemi/keyservice/keyservice.db).")
        Path db;

        @Option(names = "--out", required = true, paramLabel = "FILE", description = "Backup file to create (must not exist).")
        Path out;

        @Override
        public Integer call() {
            Path source = db != null ? db : KeyServiceConfig.DEFAULT_DATABASE;
            try {
                StoreMaintenance.backupFile(source, out);
            } catch (StoreException e) {
                throw new CliErrors.UserException(e.getMessage());
            }
            spec.commandLine().getOut().println("backed up " + source + " -> " + out);
            return 0;
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = {"Check a database or backup (also while the KeyService runs): every sealed row must open and the rows",
                "must be exactly those its sealed state head vouches for. Prints the state version, row counts and every",
                "problem found as JSON; exits 4 when rows were replayed, deleted, inserted or edited outside the KeyService."})
    static final class Verify implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin TeeOptions tee = new TeeOptions();

        @Option(names = "--db", paramLabel = "FILE", description = "Database or backup file (default ~/.sesemi/keyservice/keyservice.db).")
        Path db;

        @Override
        public Integer call() {
            Path file = db != null ? db : KeyServiceConfig.DEFAULT_DATABASE;
            StoreMaintenance.VerifyReport r;
            try {
                r = StoreMaintenance.verify(file, tee.provider().sealingKey());
            } catch (StoreException e) {
                throw new CliErrors.UserException(e.getMessage());
            }
            spec.commandLine().getOut().println(json(r));
            return r.consistent() ? 0 : CliErrors.STATE_REFUSED;
        }
    }

    @Command(name = "restore", mixinStandardHelpOptions = true,
            description = {"Replace the database with a backup, after verifying the backup with this TEE's sealing key (every row",
                "opens and matches its sealed state head). The KeyService must be stopped; the old files are kept as",
                "<db>.before-restore-<millis>. The restored state gets a version above the backup's, the replaced database's",
                "and --min-state-version, so clients that saw newer versions accept it; an audit event state_restored records it."})
    static final class Restore implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin TeeOptions tee = new TeeOptions();

        @Option(names = "--db", paramLabel = "FILE", description = "Database file (default ~/.sesemi/keyservice/keyservice.db).")
        Path db;

        @Option(names = "--from", required = true, paramLabel = "FILE", description = "Backup file.")
        Path from;

        @Option(names = "--min-state-version", defaultValue = "0", paramLabel = "N",
                description = "The restored state version is above N too (e.g. the highest version clients report; default 0).")
        long minVersion;

        @Override
        public Integer call() {
            Path target = db != null ? db : KeyServiceConfig.DEFAULT_DATABASE;
            try {
                var report = StoreMaintenance.restore(from, target, tee.provider().sealingKey(), minVersion);
                spec.commandLine().getOut().println(json(report));
            } catch (StateIntegrityException e) {
                throw new CliErrors.StateRefused(e.getMessage());
            } catch (StoreException e) {
                throw new CliErrors.UserException(e.getMessage());
            }
            return 0;
        }
    }

    @Command(name = "reseal", mixinStandardHelpOptions = true,
            description = {"Operator acceptance: make the database's rows, as they are now, the KeyService's state (after",
                "'verify' found rows changed outside the KeyService and you decided to keep them, or for a database of an older",
                "KeyService). Writes a new sealed state head with a version above the old one and --min-state-version, fills",
                "deleted audit rows with audit_rows_missing events, and records state_resealed in the audit log. Rows that",
                "are not this KeyService's own (seals that do not open) are refused. The KeyService must be stopped."})
    static final class Reseal implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin TeeOptions tee = new TeeOptions();

        @Option(names = "--db", paramLabel = "FILE", description = "Database file (default ~/.sesemi/keyservice/keyservice.db).")
        Path db;

        @Option(names = "--min-state-version", defaultValue = "0", paramLabel = "N", description = "The new state version is above N too (default 0).")
        long minVersion;

        @Override
        public Integer call() {
            Path target = db != null ? db : KeyServiceConfig.DEFAULT_DATABASE;
            try {
                spec.commandLine().getOut().println(json(StoreMaintenance.reseal(target, tee.provider().sealingKey(), minVersion)));
            } catch (StateIntegrityException e) {
                throw new CliErrors.StateRefused(e.getMessage());
            } catch (StoreException e) {
                throw new CliErrors.UserException(e.getMessage());
            }
            return 0;
        }
    }

    static String json(StoreMaintenance.VerifyReport r) {
        StringBuilder f = new StringBuilder("[");
        for (String s : r.findings()) {
            f.append(f.length() > 1 ? "," : "").append('"').append(s.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
        }
        return String.format("{\"schemaVersion\":%d,\"stateVersion\":%d,\"consistent\":%b,\"findings\":%s],\"principals\":%d,"
                + "\"modelKeys\":%d,\"grants\":%d,\"requestKeys\":%d,\"auditEvents\":%d}", r.schemaVersion(), r.stateVersion(),
                r.consistent(), f, r.principals(), r.modelKeys(), r.grants(), r.requestKeys(), r.auditEvents());
    }
}
