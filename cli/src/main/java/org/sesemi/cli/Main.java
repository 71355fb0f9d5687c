package org.sesemi.cli;

import picocli.CommandLine;

/** Process entry point of {@code bin/sesemi}. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command and returns its exit code (used by tests too). */
    public static int run(String... args) {
        return SesemiCommand.commandLine().execute(args);
    }
}
