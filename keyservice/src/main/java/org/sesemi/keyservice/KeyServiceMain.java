package org.sesemi.keyservice;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.sesemi.attestation.TeeConfig;
import org.sesemi.keyservice.store.StateIntegrityException;

/**
 * A bare entry point for running a KeyService as its own process without the CLI (used by the kill test and for
 * embedding): {@code java -cp ... org.sesemi.keyservice.KeyServiceMain --db FILE --simulated-dir DIR [--port N]
 * [--host H] [--ttl SECONDS] [--rate N] [--expect-state-version N]}. Prints {@code LISTENING <port> <measurement>} on stdout once it accepts
 * connections. Operators use {@code sesemi keyservice serve} instead.
 */
public final class KeyServiceMain {
    /** Exit status when the database fails its state check (tampered, unsealed, rolled back): an operator must act. */
    public static final int STATE_REFUSED_EXIT = 4;

    private KeyServiceMain() {}

    public static void main(String[] args) throws InterruptedException {
        KeyServiceConfig.Builder cfg = KeyServiceConfig.builder().port(0);
        for (int i = 0; i + 1 < args.length; i += 2) {
            String v = args[i + 1];
            switch (args[i]) {
                case "--db" -> cfg.database(Path.of(v));
                case "--simulated-dir" -> cfg.tee(TeeConfig.simulated(Path.of(v), "keyservice"));
                case "--port" -> cfg.port(Integer.parseInt(v));
                case "--host" -> cfg.host(v);
                case "--ttl" -> cfg.releaseTtl(Duration.ofSeconds(Long.parseLong(v)));
                case "--expect-state-version" -> cfg.expectedStateVersion(Long.parseLong(v));
                case "--rate" -> cfg.rateLimit(Double.parseDouble(v), Math.max(1, (int) Double.parseDouble(v) * 2));
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        KeyServiceServer server;
        try {
            server = KeyServiceServer.start(cfg.build());
        } catch (StateIntegrityException e) {
            System.err.println("keyservice: " + e.getMessage());
            System.exit(STATE_REFUSED_EXIT);
            return;
        }
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stop.countDown();
        }));
        System.out.println("LISTENING " + server.port() + " " + server.measurement().value());
        System.out.flush();
        stop.await();
    }
}
