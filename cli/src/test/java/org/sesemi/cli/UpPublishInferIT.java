package org.sesemi.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The "done when" flow with the CLI only, as the README shows it: {@code sesemi up} in the background, an owner
 * publishes a model with inputs of three types and grants a user, the user infers and gets the decrypted outputs, a
 * user without a request key is told which command makes one, a stranger is refused, a caller without the gateway's
 * token (which {@code sesemi.env} names and {@code infer} sends) is refused; after SIGTERM and a second
 * {@code up} on the same directory the same model still serves (state kept).
 */
class UpPublishInferIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir Path dir;
    private Process up;

    @AfterEach
    void stop() throws Exception {
        if (up != null && up.isAlive()) {
            up.destroy();
            if (!up.waitFor(60, TimeUnit.SECONDS)) {
                up.descendants().forEach(ProcessHandle::destroyForcibly);
                up.destroyForcibly();
            }
        }
    }

    private Process startUp(Path stack, String name) throws Exception {
        Path out = dir.resolve(name + ".out");
        Path err = dir.resolve(name + ".err");
        Process p = SesemiProcess.start(out, err, "up", "--dir", stack.toString(), "--ks-port", "0", "--platform-port", "0",
                "--gateway-port", "0", "--pool-size", "1", "--invoker-memory", "2048");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (!Files.readString(out).contains("ready;")) {
            assertThat(p.isAlive()).as("sesemi up exited early: " + Files.readString(err)).isTrue();
            assertThat(System.nanoTime()).as("sesemi up not ready in 180 s: " + Files.readString(err)).isLessThan(deadline);
            Thread.sleep(200);
        }
        return p;
    }

    private static SesemiProcess.Result ok(Map<String, String> env, String... args) {
        SesemiProcess.Result r = SesemiProcess.run(env, args);
        assertThat(r.exitCode()).as(String.join(" ", args) + "\n" + r.stdout() + r.stderr()).isZero();
        return r;
    }

    private static void assertDecryptedOutputs(String json, String model) throws IOException {
        JsonNode n = JSON.readTree(json);
        assertThat(n.get("model_name").asText()).isEqualTo(model);
        Map<String, JsonNode> outs = new java.util.HashMap<>();
        n.get("outputs").forEach(o -> outs.put(o.get("name").asText(), o));
        assertThat(outs.keySet()).containsExactlyInAnyOrder("y", "n2", "off");
        assertThat(outs.get("y").get("datatype").asText()).isEqualTo("FP32");
        assertThat(outs.get("y").get("data").toString()).isEqualTo("[6.0,0.0,-12.0]");
        assertThat(outs.get("n2").get("datatype").asText()).isEqualTo("INT64");
        assertThat(outs.get("n2").get("shape").toString()).isEqualTo("[]");
        assertThat(outs.get("n2").get("data").toString()).isEqualTo("[8]");
        assertThat(outs.get("off").get("datatype").asText()).isEqualTo("BOOL");
        assertThat(outs.get("off").get("data").toString()).isEqualTo("[false,true,false]");
    }

    @Test
    void ownerPublishesAndGrantsUserInfersStrangerIsRefusedStateSurvivesRestart() throws Exception {
        Path stack = dir.resolve("stack");
        up = startUp(stack, "up1");
        Path envFile = stack.resolve("sesemi.env");
        Map<String, String> settings = SesemiEnv.read(envFile);
        assertThat(settings).containsKeys("SESEMI_KS_URL", "SESEMI_KS_MEASUREMENT", "SESEMI_KS_TRUST_ROOT", "SESEMI_GATEWAY_URL",
                "SESEMI_RUNTIME_MEASUREMENT", "SESEMI_MODEL_STORE", "SESEMI_GATEWAY_TOKEN_FILE");
        // The gateway needs a caller token; sesemi.env names its owner-only file and does not contain it.
        Path tokenFile = Path.of(settings.get("SESEMI_GATEWAY_TOKEN_FILE"));
        String token = Files.readString(tokenFile).strip();
        assertThat(token).hasSizeGreaterThanOrEqualTo(32);
        assertThat(Files.readString(envFile)).doesNotContain(token);
        if (tokenFile.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(tokenFile))).isEqualTo("rw-------");
        }
        assertThat(Files.readString(dir.resolve("up1.out"))).contains("SIMULATED", "KeyService", "gateway", "platform", "model store");
        Map<String, String> env = Map.of("SESEMI_ENV", envFile.toString());

        Path owner = dir.resolve("owner.pem");
        Path user = dir.resolve("user.pem");
        Path stranger = dir.resolve("stranger.pem");
        String ownerId = ok(env, "identity", "create", "--out", owner.toString()).stdout().strip();
        String userId = ok(env, "identity", "create", "--out", user.toString()).stdout().strip();
        ok(env, "identity", "create", "--out", stranger.toString());

        // Owner: publish (encrypt, upload, key into the KeyService) and grant the user for the stack's runtime.
        Path onnx = Files.write(dir.resolve("mixed.onnx"), MixedInputsModel.onnx());
        String model = ok(env, "model", "publish", "--in", onnx.toString(), "--name", "mixed", "--identity", owner.toString()).stdout().strip();
        assertThat(model).isEqualTo(ownerId + "/mixed");
        assertThat(Files.list(stack.resolve("model-store")).toList()).isNotEmpty();
        ok(env, "grant", "add", "--model-id", model, "--user", userId, "--identity", owner.toString());
        assertThat(ok(env, "grant", "list", "--model-id", model, "--identity", owner.toString()).stdout())
                .isEqualTo(userId + " " + settings.get("SESEMI_RUNTIME_MEASUREMENT") + "\n");
        // Precedence: a flag beats the environment, which beats sesemi.env (here: a dead KeyService address wins).
        String dead = "https://127.0.0.1:1";
        assertThat(SesemiProcess.run(env, "grant", "list", "--model-id", model, "--identity", owner.toString(), "--ks-url", dead).exitCode())
                .isEqualTo(1);
        assertThat(SesemiProcess.run(Map.of("SESEMI_ENV", envFile.toString(), "SESEMI_KS_URL", dead), "grant", "list", "--model-id", model,
                "--identity", owner.toString()).exitCode()).isEqualTo(1);
        assertThat(SesemiProcess.run(Map.of("SESEMI_ENV", envFile.toString(), "SESEMI_KS_URL", dead), "grant", "list", "--model-id", model,
                "--identity", owner.toString(), "--ks-url", settings.get("SESEMI_KS_URL")).exitCode()).isZero();

        // User: without a request key, the error names the command that creates one.
        Path request = Files.writeString(dir.resolve("request.json"), MixedInputsModel.REQUEST);
        SesemiProcess.Result noKey = SesemiProcess.run(env, "infer", "--model", model, "--input", request.toString(), "--identity", user.toString());
        assertThat(noKey.exitCode()).isEqualTo(1);
        assertThat(noKey.stderr().lines().count()).as(noKey.stderr()).isEqualTo(1);
        assertThat(noKey.stderr()).contains("sesemi request-key put --model-id " + model + " --measurement " + settings.get("SESEMI_RUNTIME_MEASUREMENT"));

        Path userKey = dir.resolve("user.request-key");
        ok(env, "request-key", "put", "--model-id", model, "--key-out", userKey.toString(), "--identity", user.toString());
        SesemiProcess.Result served = ok(env, "infer", "--model", model, "--input", request.toString(), "--identity", user.toString(),
                "--request-key", userKey.toString());
        assertDecryptedOutputs(served.stdout(), model);

        // Without the token (sesemi.env's token line left out) the gateway refuses, and the error says what to pass.
        Path noTokenEnv = dir.resolve("no-token.env");
        Map<String, String> withoutToken = new java.util.LinkedHashMap<>(settings);
        withoutToken.remove("SESEMI_GATEWAY_TOKEN_FILE");
        SesemiEnv.write(noTokenEnv, "sesemi.env without the gateway token", withoutToken);
        SesemiProcess.Result unauthenticated = SesemiProcess.run(Map.of("SESEMI_ENV", noTokenEnv.toString()), "infer", "--model", model,
                "--input", request.toString(), "--identity", user.toString(), "--request-key", userKey.toString());
        assertThat(unauthenticated.exitCode()).isEqualTo(1);
        assertThat(unauthenticated.stderr()).contains("unauthenticated", "--gateway-token-file").doesNotContain(token);
        assertDecryptedOutputs(ok(Map.of("SESEMI_ENV", noTokenEnv.toString()), "infer", "--model", model, "--input", request.toString(),
                "--identity", user.toString(), "--request-key", userKey.toString(), "--gateway-token-file", tokenFile.toString()).stdout(), model);

        Path saved = dir.resolve("response.json");
        SesemiProcess.Result toFile = ok(env, "infer", "--model", model, "--input", request.toString(), "--identity", user.toString(),
                "--request-key", userKey.toString(), "--output", saved.toString());
        assertThat(toFile.stdout()).isEmpty();
        assertDecryptedOutputs(Files.readString(saved), model);

        // A stranger with a request key of its own but no grant is refused: one line on stderr, exit 1.
        Path strangerKey = dir.resolve("stranger.request-key");
        ok(env, "request-key", "put", "--model-id", model, "--key-out", strangerKey.toString(), "--identity", stranger.toString());
        SesemiProcess.Result refused = SesemiProcess.run(env, "infer", "--model", model, "--input", request.toString(),
                "--identity", stranger.toString(), "--request-key", strangerKey.toString());
        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.stdout()).isEmpty();
        assertThat(refused.stderr().lines().count()).as(refused.stderr()).isEqualTo(1);
        assertThat(refused.stderr()).contains("refused", "no_grant", "sesemi grant add");

        // Stop (SIGTERM) cleanly, start again on the same directory: same KeyService identity, the model still serves.
        up.destroy();
        assertThat(up.waitFor(60, TimeUnit.SECONDS)).as("up stops on SIGTERM").isTrue();
        assertThat(Files.readString(dir.resolve("up1.err"))).contains("stopped");
        up = startUp(stack, "up2");
        Map<String, String> again = SesemiEnv.read(envFile);
        assertThat(again.get("SESEMI_KS_MEASUREMENT")).isEqualTo(settings.get("SESEMI_KS_MEASUREMENT"));
        assertThat(again.get("SESEMI_RUNTIME_MEASUREMENT")).isEqualTo(settings.get("SESEMI_RUNTIME_MEASUREMENT"));
        assertThat(Files.readString(tokenFile).strip()).as("the gateway token survives the restart").isEqualTo(token);
        assertDecryptedOutputs(ok(env, "infer", "--model", model, "--input", request.toString(), "--identity", user.toString(),
                "--request-key", userKey.toString()).stdout(), model);
    }
}
