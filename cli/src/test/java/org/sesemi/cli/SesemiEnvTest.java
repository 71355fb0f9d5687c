package org.sesemi.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sesemi.env file: what {@code sesemi up} writes is what the commands read, and it stays shell-compatible. */
class SesemiEnvTest {
    @TempDir Path dir;

    @Test
    void writtenValuesReadBackAndTheFileIsShellSyntax() throws Exception {
        Map<String, String> v = new LinkedHashMap<>();
        v.put("SESEMI_KS_URL", "https://127.0.0.1:8443");
        v.put("SESEMI_KS_TRUST_ROOT", "/home/a b/root.pem");
        Path f = dir.resolve("sesemi.env");
        SesemiEnv.write(f, "first line\nsecond line", v);
        assertThat(SesemiEnv.read(f)).containsExactlyEntriesOf(v);
        assertThat(Files.readString(f)).startsWith("# first line\n# second line\n")
                .contains("SESEMI_KS_TRUST_ROOT='/home/a b/root.pem'\n");
        assertThat(dir.resolve("sesemi.env.partial")).doesNotExist();
    }

    @Test
    void readsExportsBlankLinesAndCommentsAndRefusesGarbageWithTheLineNumber() throws Exception {
        Path f = Files.writeString(dir.resolve("a.env"), "# c\n\nexport SESEMI_X=1\nSESEMI_Y='two words'\n");
        assertThat(SesemiEnv.read(f)).containsEntry("SESEMI_X", "1").containsEntry("SESEMI_Y", "two words").hasSize(2);
        Path bad = Files.writeString(dir.resolve("b.env"), "SESEMI_X=1\nnot an assignment\n");
        assertThatThrownBy(() -> SesemiEnv.read(bad)).isInstanceOf(CliErrors.UserException.class).hasMessageContaining("line 2");
    }

    @Test
    void valuesTheShellCouldMisreadAreRefused() {
        assertThatThrownBy(() -> SesemiEnv.write(dir.resolve("c.env"), "", Map.of("SESEMI_X", "it's")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("SESEMI_X");
    }

    @Test
    void aFlagWinsOverEverything() {
        assertThat(SesemiEnv.get("https://flag", "SESEMI_NO_SUCH_VARIABLE_IN_TESTS")).contains("https://flag");
    }
}
