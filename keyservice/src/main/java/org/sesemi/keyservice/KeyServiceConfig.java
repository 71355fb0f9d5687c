package org.sesemi.keyservice;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.sesemi.attestation.TeeConfig;
import org.sesemi.attestation.VerificationPolicy;
import org.sesemi.attestation.collateral.PeerVerification;

/**
 * Everything a KeyService needs, made with {@link #builder()}; the defaults ({@link #defaults()}) suit a laptop.
 *
 * @param host address to bind (default 127.0.0.1)
 * @param port TCP port (default 8443; 0 = any free port)
 * @param database SQLite file (default {@code ~/.sesemi/keyservice/keyservice.db})
 * @param tee the TEE provider the KeyService runs in (default: simulated, role {@code keyservice})
 * @param runtimePolicy how runtimes' RA-TLS evidence is verified; empty = derived: with the simulated TEE, trust the
 *     simulated root of the same simulated directory; otherwise {@link VerificationPolicy#defaults()} (Intel root)
 * @param releaseTtl how long runtimes may use released keys (default 60 s) — the revocation delay bound
 * @param maxBodyBytes request body limit (default 64 KiB)
 * @param ratePerSecond sustained requests per second per caller (default 200; 0 = unlimited)
 * @param rateBurst burst per caller (default 400)
 * @param certificateValidity lifetime of the KeyService's RA-TLS certificate; it is re-issued (fresh key, fresh
 *     quote) every half of this, so clients with a maximum evidence age of at least this much accept it (default 12 h)
 * @param releaseAuditFsync whether each release's (or release denial's) audit record is fsynced before the answer
 *     (default false: it is committed before the answer and survives a crash of the process, and reaches the disk
 *     with the next fsynced commit or checkpoint; every state change is always fsynced)
 * @param runtimeVerification collateral source and accepted TCB statuses for runtimes' quotes (applied to the derived
 *     runtime policy, or to an explicit {@code runtimePolicy} only when a collateral setting is given); default: simulated
 *     collateral in the simulated TEE, Intel's PCS (required, fail closed) on real TEEs
 * @param expectStateVersion refuse to start unless the database's sealed state version is at least this (default 0:
 *     no expectation); an operator's defence against a database rolled back to an older copy
 */
public record KeyServiceConfig(String host, int port, Path database, TeeConfig tee, Optional<VerificationPolicy> runtimePolicy,
        Duration releaseTtl, int maxBodyBytes, double ratePerSecond, int rateBurst, Duration certificateValidity,
        boolean releaseAuditFsync, PeerVerification runtimeVerification, long expectStateVersion) {
    public static final int DEFAULT_PORT = 8443;
    public static final Path DEFAULT_DATABASE = Path.of(System.getProperty("user.home"), ".sesemi", "keyservice", "keyservice.db");

    public KeyServiceConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(tee, "tee");
        Objects.requireNonNull(runtimePolicy, "runtimePolicy");
        Objects.requireNonNull(runtimeVerification, "runtimeVerification");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535");
        }
        if (releaseTtl.isNegative() || releaseTtl.isZero() || releaseTtl.compareTo(Duration.ofDays(1)) > 0) {
            throw new IllegalArgumentException("release TTL must be within (0, 1 day]");
        }
        if (maxBodyBytes < 1024 || maxBodyBytes > 16 << 20) {
            throw new IllegalArgumentException("max body must be 1 KiB..16 MiB");
        }
        if (ratePerSecond < 0 || rateBurst < 1) {
            throw new IllegalArgumentException("rate must be >= 0 and burst >= 1");
        }
        if (certificateValidity.compareTo(Duration.ofMinutes(2)) < 0) {
            throw new IllegalArgumentException("certificate validity must be at least 2 minutes");
        }
        if (expectStateVersion < 0) {
            throw new IllegalArgumentException("the expected state version must be >= 0");
        }
    }

    /** The defaults above. */
    public static KeyServiceConfig defaults() {
        return builder().build();
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this configuration. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.host = host;
        b.port = port;
        b.database = database;
        b.tee = tee;
        b.runtimePolicy = runtimePolicy;
        b.releaseTtl = releaseTtl;
        b.maxBodyBytes = maxBodyBytes;
        b.ratePerSecond = ratePerSecond;
        b.rateBurst = rateBurst;
        b.certificateValidity = certificateValidity;
        b.releaseAuditFsync = releaseAuditFsync;
        b.runtimeVerification = runtimeVerification;
        b.expectStateVersion = expectStateVersion;
        return b;
    }

    /** Builds a {@link KeyServiceConfig}; {@link #build()} checks the values. Not thread-safe. */
    public static final class Builder {
        private String host = "127.0.0.1";
        private int port = DEFAULT_PORT;
        private Path database = DEFAULT_DATABASE;
        private TeeConfig tee = TeeConfig.defaults("keyservice");
        private Optional<VerificationPolicy> runtimePolicy = Optional.empty();
        private Duration releaseTtl = Duration.ofSeconds(60);
        private int maxBodyBytes = 64 * 1024;
        private double ratePerSecond = 200;
        private int rateBurst = 400;
        private Duration certificateValidity = Duration.ofHours(12);
        private boolean releaseAuditFsync;
        private PeerVerification runtimeVerification = PeerVerification.defaults();
        private long expectStateVersion;

        private Builder() {}

        public Builder host(String v) {
            host = v;
            return this;
        }

        public Builder port(int v) {
            port = v;
            return this;
        }

        public Builder database(Path v) {
            database = v;
            return this;
        }

        public Builder tee(TeeConfig v) {
            tee = v;
            return this;
        }

        public Builder runtimePolicy(VerificationPolicy v) {
            runtimePolicy = Optional.of(v);
            return this;
        }

        public Builder releaseTtl(Duration v) {
            releaseTtl = v;
            return this;
        }

        public Builder maxBodyBytes(int v) {
            maxBodyBytes = v;
            return this;
        }

        /** Sustained requests per second per caller (0 = unlimited) and the burst above it. */
        public Builder rateLimit(double perSecond, int burst) {
            ratePerSecond = perSecond;
            rateBurst = burst;
            return this;
        }

        public Builder certificateValidity(Duration v) {
            certificateValidity = v;
            return this;
        }

        public Builder runtimeVerification(PeerVerification v) {
            runtimeVerification = v;
            return this;
        }

        public Builder releaseAuditFsync(boolean v) {
            releaseAuditFsync = v;
            return this;
        }

        public Builder expectedStateVersion(long v) {
            expectStateVersion = v;
            return this;
        }

        /** @throws IllegalArgumentException naming the bounds when a value is out of them */
        public KeyServiceConfig build() {
            return new KeyServiceConfig(host, port, database, tee, runtimePolicy, releaseTtl, maxBodyBytes, ratePerSecond,
                    rateBurst, certificateValidity, releaseAuditFsync, runtimeVerification, expectStateVersion);
        }
    }
}
