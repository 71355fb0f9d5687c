package org.sesemi.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The top-level {@code sesemi} command. Subcommands register here. */
@Command(
        name = "sesemi",
        mixinStandardHelpOptions = true,
        versionProvider = SesemiCommand.Version.class,
        description = "Secure serverless model inference: encrypted models and requests, keys released only to attested runtimes.",
        subcommands = {
            CommandLine.HelpCommand.class,
            AttestationCommand.class, MeasureCommand.class,
            DemoCommand.class, UpCommand.class,
            IdentityCommand.class,
            ModelCommand.class, InferCommand.class,
            ModelsCommand.class,
            KeyServiceCommand.class, GrantCommand.class, RequestKeyCommand.class, AuditCommand.class,
            RuntimeCommand.class, PlatformCommand.class, PackerCommand.class, BenchCommand.class,
        })
public final class SesemiCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** A configured command line: one-line errors, exit codes as documented in {@link CliErrors}. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new SesemiCommand());
        cl.setExecutionExceptionHandler(new CliErrors());
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        return cl;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() throws IOException {
            Properties p = new Properties();
            try (InputStream in = SesemiCommand.class.getResourceAsStream("/sesemi-version.properties")) {
                if (in != null) {
                    p.load(in);
                }
            }
            return new String[] {
                "sesemi " + p.getProperty("version", "unknown"),
                "JVM " + System.getProperty("java.vm.name") + " " + Runtime.version()
            };
        }
    }
}
