package org.sesemi.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.sesemi.crypto.CryptoException;
import picocli.CommandLine;

/**
 * The one place where failures become what the user sees: one line on stderr, no stack trace (unless
 * {@code SESEMI_DEBUG=1}). Exit codes: 1 = the operation failed (bad input, integrity failure, I/O),
 * 2 = usage error (picocli), 4 = the KeyService's database failed its state check (rows changed outside the
 * KeyService, no sealed head, or rolled back below {@code --expect-state-version}: an operator must act),
 * 5 = a KeyService answered with a state version below one already seen from it (rolled back), 70 = internal error.
 */
final class CliErrors implements CommandLine.IExecutionExceptionHandler {
    static final int FAILED = 1;
    static final int STATE_REFUSED = 4;
    static final int STATE_ROLLED_BACK = 5;
    static final int INTERNAL = 70;

    @Override
    public int handleExecutionException(Exception ex, CommandLine cl, CommandLine.ParseResult parseResult) {
        boolean debug = "1".equals(System.getenv("SESEMI_DEBUG"));
        if (debug) {
            ex.printStackTrace(cl.getErr());
        }
        String name = cl.getCommandSpec().qualifiedName();
        return switch (ex) {
            case CryptoException c -> fail(cl, name, c.getMessage() + " [" + c.reason().name().toLowerCase() + "]");
            case StateRefused r -> {
                fail(cl, name, r.getMessage());
                yield STATE_REFUSED;
            }
            case ClientRollback r -> {
                fail(cl, name, r.getMessage());
                yield STATE_ROLLED_BACK;
            }
            case UserException u -> fail(cl, name, u.getMessage());
            case IOException io -> fail(cl, name, describe(io));
            case UncheckedIOException io -> fail(cl, name, describe(io.getCause()));
            default -> {
                cl.getErr().println(name + ": internal error: " + ex.getClass().getSimpleName()
                        + (debug ? "" : " (rerun with SESEMI_DEBUG=1 for details)"));
                yield INTERNAL;
            }
        };
    }

    private static int fail(CommandLine cl, String name, String message) {
        cl.getErr().println(name + ": error: " + message);
        return FAILED;
    }

    private static String describe(IOException io) {
        String kind = switch (io) {
            case java.nio.file.NoSuchFileException n -> "no such file";
            case java.nio.file.AccessDeniedException a -> "permission denied";
            case java.nio.file.FileAlreadyExistsException f -> "file already exists";
            default -> io.getClass().getSimpleName();
        };
        return io.getMessage() == null ? kind : kind + ": " + io.getMessage();
    }

    /** A failure the user can fix, with a message meant for them. */
    static final class UserException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UserException(String message) {
            super(message);
        }
    }

    /** The KeyService's database failed its state check; an operator has to act (exit {@value #STATE_REFUSED}). */
    static final class StateRefused extends RuntimeException {
        private static final long serialVersionUID = 1L;

        StateRefused(String message) {
            super(message);
        }
    }

    /** A KeyService answered with a lower state version than already seen (exit {@value #STATE_ROLLED_BACK}). */
    static final class ClientRollback extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ClientRollback(String message) {
            super(message);
        }
    }
}
