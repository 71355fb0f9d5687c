package org.sesemi.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.sesemi.crypto.PrincipalIdentity;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code sesemi identity ...}: principal key pairs for model owners and users. */
@Command(name = "identity", mixinStandardHelpOptions = true, description = "Manage principal identities (EC P-256 key pairs).",
        subcommands = {IdentityCommand.Create.class, IdentityCommand.Show.class})
final class IdentityCommand {

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Create a new identity; writes the private key (PEM, mode 0600) and prints the principal id.")
    static final class Create implements Callable<Integer> {
        @Spec CommandSpec spec;

        @Option(names = "--out", required = true, description = "Private key file to create (must not exist).")
        Path out;

        @Override
        public Integer call() {
            PrincipalIdentity id = PrincipalIdentity.generate();
            id.save(out);
            spec.commandLine().getOut().println(id.id().hex());
            return 0;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Print the principal id of an identity file.")
    static final class Show implements Callable<Integer> {
        @Spec CommandSpec spec;

        @Option(names = "--identity", required = true, description = "Identity (private key) file.")
        Path file;

        @Override
        public Integer call() {
            spec.commandLine().getOut().println(PrincipalIdentity.load(file).id().hex());
            return 0;
        }
    }
}
