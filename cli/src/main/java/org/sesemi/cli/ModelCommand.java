package org.sesemi.cli;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.sesemi.crypto.DecryptedModel;
import org.sesemi.crypto.ModelCipher;
import org.sesemi.crypto.ModelEnvelopeHeader;
import org.sesemi.crypto.ModelId;
import org.sesemi.crypto.ModelKey;
import org.sesemi.crypto.ModelKeyFile;
import org.sesemi.crypto.SecureFiles;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sesemi model ...}: the owner's side of encrypted models. */
@Command(name = "model", mixinStandardHelpOptions = true, description = "Encrypt, decrypt and inspect model files.",
        subcommands = {ModelCommand.Encrypt.class, ModelCommand.Decrypt.class, ModelCommand.Inspect.class, ModelKeyPutCommand.class,
            ModelPublishCommand.class})
final class ModelCommand {

    @Command(name = "encrypt", mixinStandardHelpOptions = true,
            description = "Encrypt a model (e.g. an .onnx file) into a SeSeMI model envelope.")
    static final class Encrypt implements Callable<Integer> {
        @Spec CommandSpec spec;

        @Option(names = "--in", required = true, description = "Plaintext model file.")
        Path in;

        @Option(names = "--model-id", required = true, description = "OWNER/NAME, OWNER being the owner's principal id.")
        String modelId;

        @ArgGroup(exclusive = true, multiplicity = "1")
        KeyChoice key;

        static final class KeyChoice {
            @Option(names = "--key-out", description = "Generate a new model key and write it here (mode 0600; must not exist).")
            Path keyOut;

            @Option(names = "--key", description = "Use an existing model key file (e.g. to re-encrypt under the same key).")
            Path keyIn;
        }

        @Option(names = "--out", required = true, description = "Encrypted model file to write.")
        Path out;

        @Option(names = "--segment-size", defaultValue = "" + ModelCipher.DEFAULT_SEGMENT_SIZE,
                description = "Plaintext bytes per authenticated segment (1024..67108864; default ${DEFAULT-VALUE}).")
        int segmentSize;

        @Override
        public Integer call() throws Exception {
            ModelId id = ModelId.parse(modelId);
            ModelKey modelKey;
            if (key.keyIn != null) {
                ModelKeyFile f = ModelKeyFile.read(key.keyIn);
                if (!f.modelId().equals(id)) {
                    throw new CliErrors.UserException("key file " + key.keyIn + " is for model " + f.modelId() + ", not " + id);
                }
                modelKey = f.key();
            } else {
                modelKey = ModelKey.generate(1);
            }
            long size = Files.size(in);
            Path tmp = out.resolveSibling(out.getFileName() + ".partial");
            encryptFile(in, tmp, id, modelKey, segmentSize, spec.commandLine().getErr());
            if (key.keyOut != null) {
                try {
                    new ModelKeyFile(id, modelKey).write(key.keyOut);
                } catch (RuntimeException e) {
                    Files.deleteIfExists(tmp);
                    throw e;
                }
            }
            Files.move(tmp, out, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            spec.commandLine().getOut().printf("encrypted %s (%,d bytes) -> %s (%,d bytes), model %s, key version %d%n",
                    in, size, out, Files.size(out), id, modelKey.version());
            return 0;
        }
    }

    /**
     * Encrypts {@code in} into {@code out} (created or replaced) with a progress bar on {@code err} for large files;
     * deletes {@code out} on any failure.
     */
    static void encryptFile(Path in, Path out, ModelId id, ModelKey modelKey, int segmentSize, java.io.PrintWriter err) throws Exception {
        long size = Files.size(in);
        try (InputStream is = new BufferedInputStream(Files.newInputStream(in), 1 << 16);
                OutputStream os = new BufferedOutputStream(Files.newOutputStream(out), 1 << 16);
                Progress p = new Progress(err, "encrypting", size)) {
            ModelCipher.encrypt(is, size, os, id, modelKey, segmentSize, p);
        } catch (Exception e) {
            Files.deleteIfExists(out);
            throw e;
        }
    }

    @Command(name = "decrypt", mixinStandardHelpOptions = true,
            description = "Decrypt a model envelope (owners' check). Refuses a file for another model id; writes nothing on any error.")
    static final class Decrypt implements Callable<Integer> {
        @Spec CommandSpec spec;

        @Option(names = "--in", required = true, description = "Encrypted model file.")
        Path in;

        @Option(names = "--model-id", required = true, description = "The model id the file must carry.")
        String modelId;

        @Option(names = "--key", required = true, description = "Model key file.")
        Path keyFile;

        @Option(names = "--out", required = true, description = "Plaintext model file to write (mode 0600).")
        Path out;

        @Override
        public Integer call() throws Exception {
            ModelId id = ModelId.parse(modelId);
            ModelKeyFile kf = ModelKeyFile.read(keyFile);
            long size = Files.size(in);
            try (InputStream is = new BufferedInputStream(Files.newInputStream(in), 1 << 16);
                    Progress p = new Progress(spec.commandLine().getErr(), "decrypting", size);
                    DecryptedModel m = ModelCipher.decrypt(is, id, kf.key(), ModelCipher.BufferKind.HEAP, p)) {
                // Decrypted completely and authenticated before the first byte is written.
                byte[] plain = m.toByteArray();
                try {
                    SecureFiles.writeOwnerOnly(out, plain, true);
                } finally {
                    java.util.Arrays.fill(plain, (byte) 0);
                }
                spec.commandLine().getOut().printf("decrypted %s -> %s (%,d bytes), model %s, key version %d%n",
                        in, out, m.size(), m.modelId(), m.keyVersion());
            }
            return 0;
        }
    }

    @Command(name = "inspect", mixinStandardHelpOptions = true,
            description = "Print the clear-text header of an encrypted model (no key needed; not authenticated).")
    static final class Inspect implements Callable<Integer> {
        @Spec CommandSpec spec;

        @Option(names = "--in", required = true, description = "Encrypted model file.")
        Path in;

        @Override
        public Integer call() throws Exception {
            try (InputStream is = Files.newInputStream(in)) {
                ModelEnvelopeHeader h = ModelEnvelopeHeader.read(is);
                spec.commandLine().getOut().printf(
                        "{\"modelId\":\"%s\",\"keyVersion\":%d,\"segmentSize\":%d,\"plaintextLength\":%d,\"segments\":%d,\"expectedFileLength\":%d}%n",
                        h.modelId(), h.keyVersion(), h.segmentSize(), h.plaintextLength(), h.segmentCount(), h.ciphertextLength());
            }
            return 0;
        }
    }
}
