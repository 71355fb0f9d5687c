package org.sesemi.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.sesemi.client.keyservice.RequestKeyFile;
import org.sesemi.crypto.ModelId;
import org.sesemi.crypto.RequestKey;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sesemi request-key put|delete}: a user's request key for (model, runtime measurement). */
@Command(name = "request-key", mixinStandardHelpOptions = true,
        description = "Your request keys in the KeyService: released only to runtimes the model owner granted you.",
        subcommands = {RequestKeyCommand.Put.class, RequestKeyCommand.Delete.class})
final class RequestKeyCommand {

    @Command(name = "put", mixinStandardHelpOptions = true,
            description = {"Store your request key for (model, runtime measurement or rule). With --key-out a new key is generated and",
                "written to a file (0600) first; with --key an existing request key file is sent. Replaces an earlier key."})
    static final class Put implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin KeyServiceCliOptions ks = new KeyServiceCliOptions();

        @Option(names = "--model-id", paramLabel = "OWNER/NAME", description = "Model (required with --key-out).")
        String modelId;

        @Mixin RuntimeRuleOptions runtime = new RuntimeRuleOptions();

        @ArgGroup(exclusive = true, multiplicity = "1")
        Source source;

        static final class Source {
            @Option(names = "--key-out", paramLabel = "FILE", description = "Generate a new request key and save it here (must not exist).")
            Path keyOut;

            @Option(names = "--key", paramLabel = "FILE", description = "An existing request key file.")
            Path keyIn;
        }

        @Override
        public Integer call() {
            RequestKeyFile f;
            if (source.keyIn != null) {
                f = RequestKeyFile.read(source.keyIn);
                if (modelId != null && !ModelId.parse(modelId).equals(f.modelId())
                        || runtime.given().filter(r -> !r.equals(f.measurement())).isPresent()) {
                    throw new CliErrors.UserException("key file " + source.keyIn + " is for (" + f.modelId() + ", " + f.measurement()
                            + "), not the --model-id/--measurement given");
                }
            } else {
                if (modelId == null) {
                    throw new CliErrors.UserException("--key-out needs --model-id");
                }
                f = new RequestKeyFile(ModelId.parse(modelId), runtime.rule(), RequestKey.generate());
                // Write first: a key the KeyService holds but the user lost would be useless.
                f.write(source.keyOut);
            }
            RequestKeyFile k = f;
            boolean changed = ks.call(c -> {
                c.register(); // idempotent: a new user's first KeyService call
                return c.putRequestKey(k.modelId(), k.measurement(), k.key());
            });
            spec.commandLine().getOut().printf("%s request key for %s %s%n", changed ? "stored" : "unchanged", f.modelId(), f.measurement());
            return 0;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete your request key for (model, runtime measurement).")
    static final class Delete implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin KeyServiceCliOptions ks = new KeyServiceCliOptions();

        @Option(names = "--model-id", required = true, paramLabel = "OWNER/NAME", description = "Model.")
        String modelId;

        @Mixin RuntimeRuleOptions runtime = new RuntimeRuleOptions();

        @Override
        public Integer call() {
            ModelId m = ModelId.parse(modelId);
            org.sesemi.attestation.RuntimeRule ms = runtime.rule();
            boolean existed = ks.call(c -> c.deleteRequestKey(m, ms));
            spec.commandLine().getOut().printf("%s request key for %s %s%n", existed ? "deleted" : "no", m, ms);
            return 0;
        }
    }
}
