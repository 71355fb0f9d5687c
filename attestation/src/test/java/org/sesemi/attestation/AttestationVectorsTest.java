package org.sesemi.attestation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The vendored vectors are the upstream bytes their README names (SHA256SUMS), and a missing one fails loudly. */
class AttestationVectorsTest {
    @Test
    void everyVectorMatchesItsRecordedChecksum() throws Exception {
        List<String> lines = new String(AttestationVectors.read("SHA256SUMS"), StandardCharsets.US_ASCII).lines().toList();
        assertThat(lines).hasSize(11);
        for (String line : lines) {
            String[] f = line.split(" {2}", 2);
            byte[] sha = MessageDigest.getInstance("SHA-256").digest(AttestationVectors.read(f[1]));
            assertThat(HexFormat.of().formatHex(sha)).as(f[1]).isEqualTo(f[0]);
        }
        assertThat(new String(AttestationVectors.read("README.md"), StandardCharsets.UTF_8)).contains("dcap-qvl", "go-tdx-guest",
                "interoperable-ra-tls");
    }

    @Test
    void aMissingVectorIsAnErrorNotASkip() {
        assertThatThrownBy(() -> AttestationVectors.read("no-such/quote.bin")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no-such/quote.bin");
    }
}
