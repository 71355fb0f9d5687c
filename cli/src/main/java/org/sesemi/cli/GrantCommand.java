package org.sesemi.cli;

import java.util.List;
import java.util.concurrent.Callable;
import org.sesemi.client.keyservice.Grant;
import org.sesemi.crypto.ModelId;
import org.sesemi.crypto.PrincipalId;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sesemi grant add|revoke|list}: the owner decides which user may use its model in which attested runtime. */
@Command(name = "grant", mixinStandardHelpOptions = true,
        description = "Grants (model, user, runtime measurement or signer/register rule) in the KeyService; owner only.",
        subcommands = {GrantCommand.Add.class, GrantCommand.Revoke.class, GrantCommand.ListGrants.class})
final class GrantCommand {

    static final class Target {
        @Option(names = "--model-id", required = true, paramLabel = "OWNER/NAME", description = "Your model.")
        String modelId;

        @Option(names = "--user", required = true, paramLabel = "PRINCIPAL_ID", description = "The user's principal id.")
        String user;

        @Mixin RuntimeRuleOptions runtime = new RuntimeRuleOptions();

        Grant grant() {
            return new Grant(ModelId.parse(modelId), PrincipalId.parse(user), runtime.rule());
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true, description = {"Let runtimes with MEASUREMENT, or every build a signer or TDX register rule admits, fetch the keys of",
                "your model for USER. The user stores a request key for the same measurement or rule ('request-key put')."})
    static final class Add implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin KeyServiceCliOptions ks = new KeyServiceCliOptions();
        @Mixin Target target = new Target();

        @Override
        public Integer call() {
            Grant g = target.grant();
            boolean created = ks.call(c -> c.addGrant(g.model(), g.user(), g.runtime()));
            spec.commandLine().getOut().printf("%s grant %s %s %s%n", created ? "added" : "already present", g.model(), g.user(), g.runtime());
            return 0;
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true,
            description = "Revoke a grant: new releases stop at once; runtimes drop cached keys within the release TTL (default 60 s).")
    static final class Revoke implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin KeyServiceCliOptions ks = new KeyServiceCliOptions();
        @Mixin Target target = new Target();

        @Override
        public Integer call() {
            Grant g = target.grant();
            boolean existed = ks.call(c -> c.revokeGrant(g.model(), g.user(), g.runtime()));
            spec.commandLine().getOut().printf("%s grant %s %s %s%n", existed ? "revoked" : "no such", g.model(), g.user(), g.runtime());
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the grants of your model, one 'USER MEASUREMENT-OR-RULE' per line.")
    static final class ListGrants implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin KeyServiceCliOptions ks = new KeyServiceCliOptions();

        @Option(names = "--model-id", required = true, paramLabel = "OWNER/NAME", description = "Your model.")
        String modelId;

        @Override
        public Integer call() {
            ModelId m = ModelId.parse(modelId);
            List<Grant> grants = ks.call(c -> c.listGrants(m));
            for (Grant g : grants) {
                spec.commandLine().getOut().println(g.user() + " " + g.runtime());
            }
            return 0;
        }
    }
}
