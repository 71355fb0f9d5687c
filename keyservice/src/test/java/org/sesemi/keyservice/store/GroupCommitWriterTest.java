package org.sesemi.keyservice.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GroupCommitWriterTest {
    @TempDir Path dir;

    private static long count(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); var rs = s.executeQuery("SELECT count(*) FROM t")) {
            return rs.getLong(1);
        }
    }

    @Test
    void concurrentUnitsCommitTogetherAndAFailingUnitRollsBackAlone() throws Exception {
        Path db = dir.resolve("w.db");
        try (Connection setup = DbFiles.connect(db, false); Statement s = setup.createStatement()) {
            s.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)");
        }
        try (GroupCommitWriter w = new GroupCommitWriter(DbFiles.connect(db, false));
                ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Integer>> results = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                int id = i;
                boolean fsync = i % 3 == 0;
                results.add(pool.submit(() -> w.submit(c -> {
                    try (Statement s = c.createStatement()) {
                        s.executeUpdate("INSERT INTO t VALUES (" + id + ", 'x')");
                        if (id % 10 == 7) {
                            s.executeUpdate("INSERT INTO t VALUES (" + id + ", 'dup')"); // fails after a write
                        }
                    }
                    return id;
                }, fsync)));
            }
            int failed = 0;
            for (Future<Integer> f : results) {
                try {
                    f.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    assertThat(e.getCause()).isInstanceOf(StoreException.class);
                    failed++;
                }
            }
            assertThat(failed).isEqualTo(20);
            try (Connection r = DbFiles.connect(db, true)) {
                assertThat(count(r)).isEqualTo(180); // the failed units left nothing behind
            }
        }
    }

    @Test
    void aClosedWriterRefusesWork() throws Exception {
        GroupCommitWriter w = new GroupCommitWriter(DbFiles.connect(dir.resolve("c.db"), false));
        w.close();
        assertThatThrownBy(() -> w.submit(c -> 1)).isInstanceOf(StoreException.class);
    }
}
