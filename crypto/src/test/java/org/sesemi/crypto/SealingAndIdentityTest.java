package org.sesemi.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SealingAndIdentityTest {
    @TempDir Path dir;

    @Test
    void sealingBindsAadAndDetectsTampering() {
        SealingKey k = SealingKey.aesGcm(new byte[32]);
        byte[] aad = "model_keys|a/b|1".getBytes(StandardCharsets.UTF_8);
        byte[] sealed = k.seal("key material".getBytes(StandardCharsets.UTF_8), aad);
        assertThat(new String(k.unseal(sealed, aad), StandardCharsets.UTF_8)).isEqualTo("key material");
        assertThatThrownBy(() -> k.unseal(sealed, "model_keys|a/b|2".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(CryptoException.class);
        for (int i = 0; i < sealed.length; i++) {
            byte[] t = sealed.clone();
            t[i] ^= 0x40;
            assertThatThrownBy(() -> k.unseal(t, aad)).isInstanceOf(CryptoException.class);
        }
        assertThatThrownBy(() -> k.unseal(new byte[27], aad)).isInstanceOf(CryptoException.class)
                .extracting(e -> ((CryptoException) e).reason()).isEqualTo(CryptoException.Reason.MALFORMED);
        byte[] key2 = new byte[32];
        key2[0] = 1;
        assertThatThrownBy(() -> SealingKey.aesGcm(key2).unseal(sealed, aad)).isInstanceOf(CryptoException.class);
    }

    @Test
    void identityRoundTripsThroughAnOwnerOnlyPemFile() throws Exception {
        PrincipalIdentity id = PrincipalIdentity.generate();
        Path f = dir.resolve("owner.pem");
        id.save(f);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).isEqualTo("rw-------");
        assertThat(Files.readString(f)).startsWith("-----BEGIN PRIVATE KEY-----");
        PrincipalIdentity back = PrincipalIdentity.load(f);
        assertThat(back.id()).isEqualTo(id.id());
        assertThat(back.publicKey()).isEqualTo(id.publicKey());
        assertThat(id.id().hex()).isEqualTo(Hashes.sha256Hex(id.publicKey().getEncoded()));
        assertThatThrownBy(() -> id.save(f)).isInstanceOf(CryptoException.class).hasMessageContaining("refusing to overwrite");
        var cert = id.selfSignedCertificate(Duration.ofDays(1));
        cert.verify(id.publicKey());
        assertThat(PrincipalId.ofPublicKey(cert.getPublicKey().getEncoded())).isEqualTo(id.id());
    }

    @Test
    void unreadableIdentityFilesGiveOneClearError() throws Exception {
        Path garbage = dir.resolve("g.pem");
        Files.writeString(garbage, "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
        assertThatThrownBy(() -> PrincipalIdentity.load(garbage)).isInstanceOf(CryptoException.class)
                .hasMessageContaining("not a readable identity file");
        Path empty = dir.resolve("e.pem");
        Files.writeString(empty, "");
        assertThatThrownBy(() -> PrincipalIdentity.load(empty)).isInstanceOf(CryptoException.class);
        assertThatThrownBy(() -> PrincipalIdentity.load(dir.resolve("missing.pem"))).isInstanceOf(CryptoException.class)
                .extracting(e -> ((CryptoException) e).reason()).isEqualTo(CryptoException.Reason.KEY_FILE);
        Path huge = dir.resolve("h.pem");
        Files.write(huge, new byte[100_000]);
        assertThatThrownBy(() -> PrincipalIdentity.load(huge)).isInstanceOf(CryptoException.class).hasMessageContaining("too large");
    }

    @Test
    void modelKeyFileRoundTripAndValidation() throws Exception {
        ModelId id = new ModelId(PrincipalIdentity.generate().id(), "m");
        ModelKey key = ModelKey.generate(4);
        Path f = dir.resolve("m.key");
        new ModelKeyFile(id, key).write(f);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).isEqualTo("rw-------");
        assertThat(ModelKeyFile.read(f)).isEqualTo(new ModelKeyFile(id, key));
        assertThatThrownBy(() -> new ModelKeyFile(id, key).write(f)).isInstanceOf(CryptoException.class);
        Files.writeString(dir.resolve("bad.key"), Files.readString(f).replace("\"keyVersion\" : 4", "\"keyVersion\" : 0"));
        assertThatThrownBy(() -> ModelKeyFile.read(dir.resolve("bad.key"))).isInstanceOf(CryptoException.class);
        Files.writeString(dir.resolve("short.key"), Files.readString(f).replaceAll("\"key\" : \"[^\"]*\"", "\"key\" : \"AAAA\""));
        assertThatThrownBy(() -> ModelKeyFile.read(dir.resolve("short.key"))).isInstanceOf(CryptoException.class);
        Files.writeString(dir.resolve("json.key"), "{not json");
        assertThatThrownBy(() -> ModelKeyFile.read(dir.resolve("json.key"))).isInstanceOf(CryptoException.class);
        assertThat(new ModelKeyFile(id, key).toString()).contains("redacted");
    }

    @Test
    void idsAreValidated() {
        assertThatThrownBy(() -> PrincipalId.parse("ABC")).isInstanceOf(CryptoException.class);
        assertThatThrownBy(() -> ModelId.parse("no-slash")).isInstanceOf(CryptoException.class);
        assertThatThrownBy(() -> ModelId.parse("a".repeat(64) + "/")).isInstanceOf(CryptoException.class);
        assertThatThrownBy(() -> ModelId.parse("a".repeat(64) + "/x/y")).isInstanceOf(CryptoException.class);
        assertThat(ModelId.parse("a".repeat(64) + "/resnet-50.v2").name()).isEqualTo("resnet-50.v2");
    }
}
