package org.sesemi.client.keyservice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateVersionsTest {
    @TempDir Path dir;
    static final String A = "https://ks-a.example:8443";
    static final String B = "https://ks-b.example:8443";

    @Test
    void aLowerVersionThanSeenIsRefusedPerKeyService() {
        StateVersions v = StateVersions.inMemory();
        v.observe(A, 5);
        v.observe(A, 7);
        v.observe(A, 7);
        v.observe(B, 1);
        assertThatThrownBy(() -> v.observe(A, 6)).isInstanceOfSatisfying(KeyServiceException.class, e -> {
            assertThat(e.reason()).isEqualTo(KeyServiceException.STATE_ROLLBACK);
            assertThat(e.getMessage()).contains("state version 6, below version 7").contains(A);
        });
        assertThat(v.highest(A)).isEqualTo(7);
        assertThat(v.highest(B)).isEqualTo(1);
    }

    @Test
    void concurrentAnswersMayArriveOutOfOrderButNoneBelowWhatWasKnownWhenItsRequestLeft() {
        for (StateVersions v : new StateVersions[] {StateVersions.inMemory(), StateVersions.file(dir.resolve("v.ks-state"))}) {
            v.observe(A, 5);
            long floorOfSlowRequest = v.highest(A); // a release is sent while 5 is the newest version known
            v.observe(A, 7); // a concurrent write's answer arrives first
            v.observe(A, 6, floorOfSlowRequest); // the slow answer was served before that write: not a rollback
            assertThat(v.highest(A)).isEqualTo(7);
            assertThatThrownBy(() -> v.observe(A, 4, floorOfSlowRequest)).isInstanceOfSatisfying(KeyServiceException.class,
                    e -> assertThat(e.reason()).isEqualTo(KeyServiceException.STATE_ROLLBACK));
            assertThatThrownBy(() -> v.observe(A, 6)).isInstanceOf(KeyServiceException.class); // a request sent now
        }
    }

    @Test
    void theFileRemembersAcrossInstancesAndIsOwnerOnly() throws Exception {
        Path f = dir.resolve("me.identity.ks-state");
        StateVersions.file(f).observe(A, 41);
        StateVersions.file(f).observe(B, 3);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).isEqualTo("rw-------");
        StateVersions later = StateVersions.file(f);
        assertThat(later.highest(A)).isEqualTo(41);
        assertThatThrownBy(() -> later.observe(A, 40)).isInstanceOf(KeyServiceException.class);
        later.observe(A, 57);
        assertThat(StateVersions.file(f).highest(A)).isEqualTo(57);
        assertThat(StateVersions.file(f).highest(B)).isEqualTo(3);
    }

    @Test
    void anUnreadableFileIsAClearError() throws Exception {
        Path f = dir.resolve("x.ks-state");
        Files.writeString(f, "https://a:1 not-a-number\n");
        assertThatThrownBy(() -> StateVersions.file(f).observe(A, 1)).isInstanceOf(KeyServiceException.class)
                .hasMessageContaining("unreadable line");
    }
}
