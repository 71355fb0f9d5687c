package org.sesemi.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.sesemi.attestation.tee.SimulatedTee;
import org.sesemi.platform.invoker.EngineLauncher;
import org.sesemi.platform.invoker.ImageRegistry;

/**
 * {@code --containers podman|docker}: the embedded platform runs the image {@value PlatformCommand#SEMIRT_IMAGE} built
 * by {@code deploy/images/build} in real containers instead of local processes.
 */
final class Containers {
    /** The image label in which deploy/images/build records the code digest (SimulatedTee#codeDigest) of the runtime. */
    static final String CODE_DIGEST_LABEL = "org.sesemi.code-digest";

    private Containers() {}

    /** The engine's reference to the locally built runtime image. */
    static String semirtReference(String engine) {
        String base = PlatformCommand.SEMIRT_IMAGE + ":latest";
        return engine.endsWith("podman") ? "localhost/" + base : base;
    }

    /**
     * Checks the engine and the runtime image (present, and built from this build's code, so that a simulated runtime
     * in it has the measurement owners grant), and returns the launcher: host directories {@code mounts} at the same
     * paths, containers running as this process's user (so they read the same files as a runtime process would), and
     * {@code containerEnv} in every container.
     *
     * @throws CliErrors.UserException the engine or the image is not usable, with what to do
     */
    static EngineLauncher launcher(String engine, List<Path> mounts, Map<String, String> containerEnv) {
        if (!engine.equals("podman") && !engine.equals("docker")) {
            throw new CliErrors.UserException("--containers must be podman or docker, not '" + engine + "'");
        }
        String ref = semirtReference(engine);
        EngineLauncher.problem(engine, ref).ifPresent(p -> {
            throw new CliErrors.UserException(p + "; set the engine up and build the image with deploy/images/build --engine "
                    + engine + " --only runtime");
        });
        String digest = HexFormat.of().formatHex(SimulatedTee.codeDigest());
        String imageDigest = EngineLauncher.label(engine, ref, CODE_DIGEST_LABEL).orElse("none");
        if (!imageDigest.equals(digest)) {
            throw new CliErrors.UserException("the image " + ref + " was built from other code than this sesemi (code digest "
                    + imageDigest + ", this build " + digest + "): its runtime would have another measurement; rebuild it with"
                    + " deploy/images/build --engine " + engine + " --only runtime");
        }
        List<Path> dirs = new ArrayList<>();
        for (Path m : mounts) {
            try {
                dirs.add(Files.createDirectories(m).toRealPath());
            } catch (IOException e) {
                throw new CliErrors.UserException("cannot mount " + m + ": " + e.getMessage());
            }
        }
        return new EngineLauncher(engine, dirs, currentUser(), containerEnv);
    }

    /** The image registry for containers: {@value PlatformCommand#SEMIRT_IMAGE} is the engine's runtime image. */
    static ImageRegistry images(String engine) {
        return ImageRegistry.of(Map.of(PlatformCommand.SEMIRT_IMAGE, new ImageRegistry.Image(
                List.of(semirtReference(engine), "--platform", "openwhisk", "--bind", "127.0.0.1", "--port", ImageRegistry.PORT),
                Map.of("__OW_ALLOW_CONCURRENT", "true"))));
    }

    private static String currentUser() {
        try {
            Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            Object gid = Files.getAttribute(Path.of("/proc/self"), "unix:gid");
            return uid + ":" + gid;
        } catch (IOException | UnsupportedOperationException e) {
            return ""; // not Linux: the image's own user
        }
    }
}
