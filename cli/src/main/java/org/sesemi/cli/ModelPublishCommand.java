package org.sesemi.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.sesemi.client.keyservice.KeyServiceException;
import org.sesemi.protocol.keyservice.ErrorReason;
import org.sesemi.crypto.CryptoException;
import org.sesemi.crypto.ModelCipher;
import org.sesemi.crypto.ModelId;
import org.sesemi.crypto.ModelKey;
import org.sesemi.crypto.ModelKeyFile;
import org.sesemi.crypto.PrincipalIdentity;
import org.sesemi.runtime.core.RuntimeSettings;
import org.sesemi.runtime.store.ModelStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sesemi model publish}: the owner's three steps in one — encrypt under a new model key ({@code model encrypt}),
 * upload the ciphertext to the model store, store the key in the KeyService ({@code model key put}). The key goes to
 * the KeyService before the upload, so a refused key (e.g. the name is taken by another key of the same version)
 * leaves the store untouched; the plaintext never leaves this machine.
 */
@Command(name = "publish", mixinStandardHelpOptions = true,
        description = {"Encrypt a model under a new key, store the key in the KeyService and upload the ciphertext to the model store;",
            "prints the model id OWNER/NAME (OWNER = your principal id). Defaults come from sesemi.env ('sesemi up')."})
final class ModelPublishCommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin KeyServiceCliOptions ks = new KeyServiceCliOptions();

    @Option(names = "--in", required = true, paramLabel = "MODEL.onnx", description = "Plaintext model file.")
    Path in;

    @Option(names = "--name", required = true, description = "Model name (the id is OWNER/NAME).")
    String name;

    @Option(names = "--store", paramLabel = "DIR|s3://BUCKET/PREFIX",
            description = "Model store (env SESEMI_MODEL_STORE; S3 also needs SESEMI_S3_ENDPOINT, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY).")
    String store;

    @Option(names = "--key-version", defaultValue = "1", description = "Model key version; a higher one republishes (rotates) a model (default ${DEFAULT-VALUE}).")
    int keyVersion;

    @Option(names = "--key-out", paramLabel = "FILE", description = "Also keep the model key in this file (0600; must not exist).")
    Path keyOut;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!Files.isRegularFile(in)) {
            throw new CliErrors.UserException("--in: no such file: " + in);
        }
        PrincipalIdentity owner = ks.identity();
        ModelId id;
        try {
            id = new ModelId(owner.id(), name);
        } catch (CryptoException | IllegalArgumentException e) {
            throw new CliErrors.UserException("--name: " + e.getMessage());
        }
        String where = SesemiEnv.get(store, SesemiEnv.MODEL_STORE).orElseThrow(() -> new CliErrors.UserException(
                "no model store: pass --store DIR|s3://BUCKET/PREFIX or set SESEMI_MODEL_STORE ('sesemi up' writes it)"));
        ModelKey key;
        try {
            key = ModelKey.generate(keyVersion);
        } catch (IllegalArgumentException e) {
            throw new CliErrors.UserException("--key-version: " + e.getMessage());
        }
        Path tmpDir = Files.createTempDirectory("sesemi-publish-");
        Path encrypted = tmpDir.resolve("model.sesemi");
        try {
            ModelCommand.encryptFile(in, encrypted, id, key, ModelCipher.DEFAULT_SEGMENT_SIZE, err);
            if (keyOut != null) {
                new ModelKeyFile(id, key).write(keyOut);
            }
            boolean stored = ks.call(c -> {
                c.register();
                try {
                    return c.putModelKey(id, key);
                } catch (KeyServiceException e) {
                    if (ErrorReason.CONFLICT.code().equals(e.reason())) {
                        throw new CliErrors.UserException("the KeyService already holds another key version " + keyVersion + " for " + id
                                + "; republish with a higher --key-version");
                    }
                    throw e;
                }
            });
            err.printf("model key version %d %s in the KeyService; uploading %,d encrypted bytes to %s%n", keyVersion,
                    stored ? "stored" : "already", Files.size(encrypted), where);
            err.flush();
            try (ModelStore s = openStore(where)) {
                s.put(id, encrypted);
            }
        } finally {
            Files.deleteIfExists(encrypted);
            Files.deleteIfExists(tmpDir);
        }
        out.println(id);
        return 0;
    }

    /** The store named by {@code where}, configured as the runtime would be (same settings, flag > env > sesemi.env). */
    static ModelStore openStore(String where) {
        Map<String, String> settings = new HashMap<>();
        settings.put(RuntimeSettings.MODEL_STORE, where);
        for (String name : new String[] {RuntimeSettings.S3_ENDPOINT, RuntimeSettings.S3_REGION, "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"}) {
            SesemiEnv.get(name).ifPresent(v -> settings.put(name, v));
        }
        try {
            return RuntimeSettings.store(settings);
        } catch (IllegalArgumentException e) {
            throw new CliErrors.UserException("--store " + where + ": " + e.getMessage());
        }
    }
}
