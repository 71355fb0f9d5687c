package org.sesemi.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code SESEMI_*} defaults of the CLI: a flag wins over the process environment, which wins over the
 * {@value #FILE} file that {@code sesemi up} writes. The file is {@code $SESEMI_ENV} when set, else
 * {@code ./sesemi.env} when present. It is a shell-compatible list of {@code NAME=value} lines ({@code set -a; .
 * DIR/sesemi.env} exports them too), holding addresses, public measurements and file paths only: no key material and
 * no token (the gateway's caller token is named by the path of its own owner-only file).
 */
final class SesemiEnv {
    static final String FILE = "sesemi.env";
    /** The variable that names the file. */
    static final String FILE_VARIABLE = "SESEMI_ENV";

    static final String KS_URL = "SESEMI_KS_URL";
    static final String KS_MEASUREMENT = "SESEMI_KS_MEASUREMENT";
    static final String KS_TRUST_ROOT = "SESEMI_KS_TRUST_ROOT";
    static final String IDENTITY = "SESEMI_IDENTITY";
    static final String GATEWAY_URL = "SESEMI_GATEWAY_URL";
    static final String RUNTIME_MEASUREMENT = "SESEMI_RUNTIME_MEASUREMENT";
    static final String MODEL_STORE = "SESEMI_MODEL_STORE";
    static final String PLATFORM_URL = "SESEMI_PLATFORM_URL";
    static final String PLATFORM_AUTH = "SESEMI_PLATFORM_AUTH";
    /** The gateway's caller token itself (environment only; {@code sesemi packer serve} reads the same variable). */
    static final String GATEWAY_TOKEN = "SESEMI_GATEWAY_TOKEN";
    /** The file holding the gateway's caller token ({@code sesemi up} writes its path, not the token, to the env file). */
    static final String GATEWAY_TOKEN_FILE = "SESEMI_GATEWAY_TOKEN_FILE";

    private SesemiEnv() {}

    /** {@code name} from the environment, else from the env file, else empty. Blank values count as absent. */
    static Optional<String> get(String name) {
        String v = System.getenv(name);
        if (v != null && !v.isBlank()) {
            return Optional.of(v);
        }
        return file().map(f -> read(f).get(name)).filter(s -> !s.isBlank());
    }

    /** The first of {@code flag} (when given) and {@link #get}. */
    static Optional<String> get(String flag, String name) {
        return flag != null && !flag.isBlank() ? Optional.of(flag) : get(name);
    }

    /** The env file in effect, if any. */
    static Optional<Path> file() {
        String named = System.getenv(FILE_VARIABLE);
        if (named != null && !named.isBlank()) {
            Path p = Path.of(named);
            if (!Files.isRegularFile(p)) {
                throw new CliErrors.UserException(FILE_VARIABLE + "=" + named + ": no such file (written by 'sesemi up --dir DIR')");
            }
            return Optional.of(p);
        }
        Path here = Path.of(FILE);
        return Files.isRegularFile(here) ? Optional.of(here) : Optional.empty();
    }

    /** Parses {@code NAME=value} lines; {@code #} comments and blank lines are skipped, single quotes are removed. */
    static Map<String, String> read(Path file) {
        Map<String, String> m = new LinkedHashMap<>();
        try {
            int n = 0;
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                n++;
                String t = line.strip();
                if (t.isEmpty() || t.startsWith("#")) {
                    continue;
                }
                if (t.startsWith("export ")) {
                    t = t.substring(7).strip();
                }
                int eq = t.indexOf('=');
                if (eq <= 0) {
                    throw new CliErrors.UserException(file + " line " + n + ": expected NAME=value");
                }
                String value = t.substring(eq + 1);
                if (value.length() >= 2 && value.startsWith("'") && value.endsWith("'")) {
                    value = value.substring(1, value.length() - 1);
                }
                m.put(t.substring(0, eq), value);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return m;
    }

    /** Writes {@code values} atomically as a commented, shell-compatible env file. */
    static void write(Path file, String comment, Map<String, String> values) throws IOException {
        StringBuilder b = new StringBuilder();
        comment.lines().forEach(l -> b.append("# ").append(l).append('\n'));
        values.forEach((k, v) -> {
            if (v.contains("'") || v.contains("\n")) {
                throw new IllegalArgumentException(k + ": value not representable in " + FILE);
            }
            b.append(k).append("='").append(v).append("'\n");
        });
        Path tmp = file.resolveSibling(file.getFileName() + ".partial");
        Files.writeString(tmp, b, StandardCharsets.UTF_8);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
}
