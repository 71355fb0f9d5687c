package org.sesemi.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.sesemi.crypto.ModelId;
import org.sesemi.crypto.ModelKey;
import org.sesemi.crypto.ModelKeyFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sesemi model key put|new|retire}: the owner stores model keys in the KeyService, makes new versions and retires
 * old ones.
 */
@Command(name = "key", mixinStandardHelpOptions = true, description = "Model keys in the KeyService.",
        subcommands = {ModelKeyPutCommand.Put.class, ModelKeyPutCommand.New.class, ModelKeyPutCommand.Retire.class})
final class ModelKeyPutCommand {

    @Command(name = "put", mixinStandardHelpOptions = true,
            description = {"Store a model key (from a key file written by 'sesemi model encrypt --key-out' or 'sesemi model key new')",
                "in the KeyService. Owner only. A higher version rotates the key; the same version and key is a no-op."})
    static final class Put implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin KeyServiceCliOptions ks = new KeyServiceCliOptions();

        @Option(names = "--key", required = true, paramLabel = "FILE", description = "Model key file.")
        Path keyFile;

        @Option(names = "--model-id", paramLabel = "OWNER/NAME", description = "Must match the key file's model id (a safety check).")
        String modelId;

        @Override
        public Integer call() {
            ModelKeyFile f = ModelKeyFile.read(keyFile);
            if (modelId != null && !ModelId.parse(modelId).equals(f.modelId())) {
                throw new CliErrors.UserException("key file " + keyFile + " is for model " + f.modelId() + ", not " + modelId);
            }
            boolean created = ks.call(c -> c.putModelKey(f.modelId(), f.key()));
            spec.commandLine().getOut().printf("%s model key %s version %d%n", created ? "stored" : "unchanged", f.modelId(), f.key().version());
            return 0;
        }
    }

    @Command(name = "retire", mixinStandardHelpOptions = true,
            description = {"Retire a model key version: the KeyService deletes it and refuses to release it from then on",
                "(key_retired). Do it last in a rotation, after every copy of the model was re-encrypted under a newer version",
                "and uploaded (docs/operations.md, \"Rotating a model key\"). The newest version cannot be retired. Owner only."})
    static final class Retire implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin KeyServiceCliOptions ks = new KeyServiceCliOptions();

        @Option(names = {"--model-id", "--model"}, required = true, paramLabel = "OWNER/NAME", description = "Your model.")
        String modelId;

        @Option(names = "--version", required = true, description = "The key version to retire (below the newest).")
        int version;

        @Override
        public Integer call() {
            ModelId id = ModelId.parse(modelId);
            if (version < 1) {
                throw new CliErrors.UserException("--version must be >= 1");
            }
            boolean retired = ks.call(c -> c.retireModelKey(id, version));
            spec.commandLine().getOut().printf("%s model key %s version %d%n", retired ? "retired" : "already retired", id, version);
            return 0;
        }
    }

    @Command(name = "new", mixinStandardHelpOptions = true,
            description = "Generate a new model key with the given version into a key file (0600), e.g. for rotation. Offline.")
    static final class New implements Callable<Integer> {
        @Spec CommandSpec spec;

        @Option(names = "--model-id", required = true, paramLabel = "OWNER/NAME", description = "Model id.")
        String modelId;

        @Option(names = "--version", required = true, description = "Key version (>= 1; above the stored one to rotate).")
        int version;

        @Option(names = "--out", required = true, paramLabel = "FILE", description = "Key file to create (must not exist).")
        Path out;

        @Override
        public Integer call() {
            ModelId id = ModelId.parse(modelId);
            new ModelKeyFile(id, ModelKey.generate(version)).write(out);
            spec.commandLine().getOut().printf("new model key %s version %d -> %s%n", id, version, out);
            return 0;
        }
    }
}
