package org.sesemi.client.keyservice;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.sesemi.crypto.SecureFiles;

/**
 * The highest KeyService state version a client has seen, per KeyService (its base URI, e.g.
 * {@code https://ks.example:8443}). Every KeyService answer carries its state version; an answer with a lower
 * version than one seen before means the KeyService's database was rolled back to an older copy (for example a
 * revoked grant back in force), and is refused with {@value KeyServiceException#STATE_ROLLBACK}.
 *
 * <p>{@link #inMemory()} remembers for the life of the object; {@link #file(Path)} persists across processes (the
 * CLI keeps it next to the identity file, {@code <identity>.ks-state}). Thread-safe; the file is updated under a
 * file lock, atomically, mode 0600.
 */
public abstract sealed class StateVersions permits StateVersions.Memory, StateVersions.FileBacked {

    /** Records {@code version} from {@code keyService}, or throws if it is below the highest seen before. */
    public final void observe(String keyService, long version) {
        observe(keyService, version, highest(keyService));
    }

    /**
     * Records {@code version} from {@code keyService}, or throws if it is below {@code floor}: the highest version seen
     * before the request that this answer belongs to was sent. Answers to concurrent requests may arrive in any order,
     * so an answer is only compared with what was known when its request left, never with a concurrent, newer answer.
     */
    public abstract void observe(String keyService, long version, long floor);

    /** The highest version seen from {@code keyService} (0 if none). */
    public abstract long highest(String keyService);

    public static StateVersions inMemory() {
        return new Memory();
    }

    /** Persisted in {@code file} (created on first use): one line {@code <base URI> <version>} per KeyService. */
    public static StateVersions file(Path file) {
        return new FileBacked(file);
    }

    static KeyServiceException rollback(String keyService, long version, long highest) {
        return new KeyServiceException(0, KeyServiceException.STATE_ROLLBACK, "KeyService " + keyService + " answered with state version "
                + version + ", below version " + highest + " already seen from it: its database was rolled back to an older copy "
                + "(revoked grants or replaced keys may be back). Refusing the answer; ask the KeyService's operator "
                + "(docs/operations.md, \"State integrity\")");
    }

    static final class Memory extends StateVersions {
        private final ConcurrentHashMap<String, Long> highest = new ConcurrentHashMap<>();

        @Override
        public void observe(String keyService, long version, long floor) {
            if (version < floor) {
                throw rollback(keyService, version, floor);
            }
            highest.merge(keyService, version, Math::max);
        }

        @Override
        public long highest(String keyService) {
            return highest.getOrDefault(keyService, 0L);
        }
    }

    static final class FileBacked extends StateVersions {
        private final Path file;
        private final Memory cache = new Memory();

        FileBacked(Path file) {
            this.file = file.toAbsolutePath();
        }

        @Override
        public synchronized void observe(String keyService, long version, long floor) {
            if (version < floor) {
                throw rollback(keyService, version, floor);
            }
            if (version <= cache.highest(keyService) && version > 0) {
                return;
            }
            Path lock = file.resolveSibling(file.getFileName() + ".lock");
            try (FileChannel ch = FileChannel.open(lock, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                    FileLock l = ch.lock()) {
                Map<String, Long> all = read();
                long h = all.getOrDefault(keyService, 0L);
                cache.highest.merge(keyService, h, Math::max);
                if (version > h || !all.containsKey(keyService)) {
                    all.put(keyService, version);
                    StringBuilder b = new StringBuilder("# highest SeSeMI KeyService state version seen, per KeyService\n");
                    all.forEach((k, v) -> b.append(k).append(' ').append(v).append('\n'));
                    SecureFiles.writeOwnerOnly(file, b.toString().getBytes(StandardCharsets.UTF_8), true);
                }
                cache.highest.merge(keyService, version, Math::max);
            } catch (IOException e) {
                throw new KeyServiceException(0, KeyServiceException.STATE_ROLLBACK, "cannot keep the KeyService state versions in "
                        + file + ": " + e.getMessage(), e);
            }
        }

        @Override
        public synchronized long highest(String keyService) {
            try {
                return Math.max(cache.highest(keyService), read().getOrDefault(keyService, 0L));
            } catch (IOException e) {
                return cache.highest(keyService);
            }
        }

        private Map<String, Long> read() throws IOException {
            Map<String, Long> m = new TreeMap<>();
            if (!Files.exists(file)) {
                return m;
            }
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                String t = line.strip();
                if (t.isEmpty() || t.startsWith("#")) {
                    continue;
                }
                String[] kv = t.split(" ");
                try {
                    if (kv.length != 2) {
                        throw new NumberFormatException();
                    }
                    m.put(kv[0], Long.parseLong(kv[1]));
                } catch (NumberFormatException e) {
                    throw new IOException("unreadable line in " + file + " (expected '<KeyService URI> <version>')");
                }
            }
            return m;
        }
    }
}
