package org.sesemi.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.sesemi.attestation.tee.Pki;
import org.sesemi.packer.gateway.PackerGateway;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sesemi up}: the whole system on loopback for one's own models, until interrupted. An {@link EmbeddedStack}
 * on a persistent directory plus an FnPacker gateway in front of a small pool of runtime functions; writes
 * {@code DIR/sesemi.env} with what clients need ({@link SesemiEnv}).
 */
@Command(name = "up", mixinStandardHelpOptions = true,
        description = {"Start the whole system on loopback until Ctrl-C/SIGTERM: a KeyService in the SIMULATED TEE (no hardware",
            "protection), a model store folder, the embedded OpenWhisk-compatible platform and the FnPacker gateway. Writes",
            "DIR/sesemi.env (KeyService URL, measurement and trust root, gateway URL and the path of its caller token file",
            "DIR/gateway-token, runtime measurement to grant, model store); other commands read it with",
            "SESEMI_ENV=DIR/sesemi.env or when run in DIR. State survives restarts."})
final class UpCommand implements Callable<Integer> {
    static final String GROUP = "up";
    static final String TRUST_ROOT_FILE = "keyservice-root.pem";
    /** The gateway's caller token (owner-only file, kept across restarts): loopback is reachable by every local user. */
    static final String GATEWAY_TOKEN_FILE = "gateway-token";

    @Spec CommandSpec spec;

    @Option(names = "--dir", paramLabel = "DIR", description = "State directory (default ~/.sesemi/up).")
    Path dir = Path.of(System.getProperty("user.home"), ".sesemi", "up");

    @Option(names = "--ks-port", defaultValue = "" + EmbeddedStack.KEYSERVICE_PORT, description = "KeyService port (default ${DEFAULT-VALUE}; 0 = any free port).")
    int ksPort;

    @Option(names = "--platform-port", defaultValue = "" + EmbeddedStack.PLATFORM_PORT, description = "Platform API port (default ${DEFAULT-VALUE}; 0 = any).")
    int platformPort;

    @Option(names = "--gateway-port", defaultValue = "7310", description = "FnPacker gateway port (default ${DEFAULT-VALUE}; 0 = any).")
    int gatewayPort;

    @Option(names = "--pool-size", defaultValue = "2", description = "Runtime functions in FnPacker's pool (default ${DEFAULT-VALUE}).")
    int poolSize;

    @Option(names = "--function-memory", defaultValue = "1024", paramLabel = "MB", description = "Memory per function (default ${DEFAULT-VALUE}).")
    int functionMemoryMb;

    @Option(names = "--invoker-memory", defaultValue = "4096", paramLabel = "MB",
            description = "Memory the platform's invoker gives all containers together (default ${DEFAULT-VALUE}).")
    int invokerMemoryMb;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Path home = Files.createDirectories(dir).toAbsolutePath().normalize();
        FileChannel lockFile = FileChannel.open(home.resolve("up.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock = lockFile.tryLock();
        if (lock == null) {
            lockFile.close();
            throw new CliErrors.UserException("another 'sesemi up' is running on " + home);
        }
        EmbeddedStack stack;
        try {
            stack = EmbeddedStack.start(home, ksPort, platformPort, invokerMemoryMb);
        } catch (RuntimeException e) {
            lockFile.close();
            throw new CliErrors.UserException("could not start the stack in " + home + ": " + e.getMessage());
        }
        PackerGateway gateway;
        Path tokenFile = home.resolve(GATEWAY_TOKEN_FILE);
        try {
            gateway = stack.startGateway(gatewayPort, GROUP, poolSize, functionMemoryMb, java.util.Optional.of(gatewayToken(tokenFile)));
        } catch (IllegalArgumentException e) {
            stack.close();
            lockFile.close();
            throw new CliErrors.UserException(e.getMessage());
        } catch (Exception | Error e) {
            stack.close();
            lockFile.close();
            throw e;
        }
        Path env = home.resolve(SesemiEnv.FILE);
        try {
            Path root = home.resolve(TRUST_ROOT_FILE);
            Files.writeString(root, Pki.pem(List.of(stack.simulatedRoot())));
            Map<String, String> vars = new LinkedHashMap<>();
            vars.put(SesemiEnv.KS_URL, stack.ks.uri().toString());
            vars.put(SesemiEnv.KS_MEASUREMENT, stack.ks.measurement().value());
            vars.put(SesemiEnv.KS_TRUST_ROOT, root.toString());
            vars.put(SesemiEnv.GATEWAY_URL, gateway.uri().resolve("/v1/invoke").toString());
            vars.put(SesemiEnv.GATEWAY_TOKEN_FILE, tokenFile.toString());
            vars.put(SesemiEnv.RUNTIME_MEASUREMENT, stack.runtimeMeasurement.value());
            vars.put(SesemiEnv.MODEL_STORE, stack.store.root().toAbsolutePath().toString());
            vars.put(SesemiEnv.PLATFORM_URL, stack.platform.apiHost().toString());
            SesemiEnv.write(env, "written by 'sesemi up' for clients of the stack in " + home + "\n"
                    + "SIMULATED TEE: no hardware protection. Addresses, public measurements and paths only; no keys, no tokens.", vars);
        } catch (IOException | RuntimeException e) {
            gateway.close();
            stack.close();
            lockFile.close();
            throw e;
        }

        out.println("== sesemi up: the whole system on loopback, state in " + home + " ==");
        out.println("!! TEE: SIMULATED. Quotes are signed by a local simulated root, not by Intel hardware: NO hardware protection.");
        out.printf("KeyService  %s  simulated TEE, measurement %s%n", stack.ks.uri(), stack.ks.measurement().value());
        out.printf("            trust root (simulated) %s; keys sealed in %s%n", home.resolve(TRUST_ROOT_FILE), home.resolve("keyservice.db"));
        out.printf("model store %s  (folder; encrypted models only)%n", stack.store.root());
        out.printf("platform    %s  embedded OpenWhisk-compatible API; image %s runs SeMIRT, measurement %s%n",
                stack.platform.apiHost(), PlatformCommand.SEMIRT_IMAGE, stack.runtimeMeasurement.value());
        out.printf("gateway     %s  FnPacker (affinity policy), functions %s%n", gateway.uri().resolve("/v1/invoke"), gateway.functions());
        out.printf("            callers need the bearer token in %s (owner-only file; 'sesemi infer' sends it)%n", tokenFile);
        out.printf("client settings: %s  (export SESEMI_ENV=%s, or run commands in %s)%n", env, env, home);
        out.println("owner: sesemi model publish --in MODEL.onnx --name NAME --identity owner.pem; sesemi grant add ...");
        out.println("user : sesemi request-key put ...; sesemi infer --model OWNER/NAME --input request.json ...");
        out.println("ready; Ctrl-C stops everything (the state stays in " + home + ")");
        out.flush();

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            PrintWriter err = spec.commandLine().getErr();
            try {
                gateway.close();
                stack.close();
                lock.release();
                lockFile.close();
                err.println("sesemi up: stopped; state kept in " + home);
            } catch (IOException | RuntimeException e) {
                err.println("sesemi up: error while stopping: " + e.getMessage());
            } finally {
                err.flush();
                stopped.countDown();
            }
        }, "sesemi-up-shutdown"));
        stopped.await();
        return 0;
    }

    /**
     * The gateway's caller token from {@code file}, created (256 random bits, readable by the owner only) when absent,
     * so that restarts keep it and clients keep working.
     */
    static String gatewayToken(Path file) throws IOException {
        if (Files.exists(file)) {
            String token = Files.readString(file).strip();
            if (token.length() < 16) {
                throw new CliErrors.UserException(file + ": not a gateway token (delete it and 'sesemi up' makes a new one)");
            }
            return token;
        }
        byte[] random = new byte[32];
        new java.security.SecureRandom().nextBytes(random);
        String token = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        Path tmp = file.resolveSibling(file.getFileName() + ".partial");
        Files.deleteIfExists(tmp);
        if (tmp.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Files.createFile(tmp, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
        } else {
            Files.createFile(tmp);
        }
        Files.writeString(tmp, token + "\n");
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return token;
    }
}
