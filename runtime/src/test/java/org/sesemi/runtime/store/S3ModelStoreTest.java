package org.sesemi.runtime.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.sesemi.runtime.testing.Fixture.floats;
import static org.sesemi.runtime.testing.Fixture.floatsOf;
import static org.sesemi.runtime.testing.Fixture.request;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sesemi.protocol.oip.OipCodec;
import org.sesemi.protocol.envelope.EnvelopeJson;
import org.sesemi.crypto.ModelCipher;
import org.sesemi.crypto.ModelId;
import org.sesemi.crypto.ModelKey;
import org.sesemi.crypto.PrincipalIdentity;
import org.sesemi.crypto.RequestCipher;
import org.sesemi.crypto.RequestKey;
import org.sesemi.runtime.core.CoreConfig;
import org.sesemi.runtime.core.EnclaveRuntime;
import org.sesemi.runtime.core.ErrorCode;
import org.sesemi.runtime.core.Outcome;
import org.sesemi.runtime.testing.InMemoryKeySource;
import org.sesemi.runtime.testing.TestModels;

/** The S3 model store against a real S3-compatible server (S3Proxy, filesystem backend) on loopback, through the core. */
class S3ModelStoreTest {
    @TempDir Path dir;
    S3Proxy proxy;
    BlobStoreContext jclouds;
    S3ModelStore store;

    @BeforeEach
    void start() throws Exception {
        Path base = Files.createDirectories(dir.resolve("s3"));
        Properties p = new Properties();
        p.setProperty("jclouds.filesystem.basedir", base.toString());
        jclouds = ContextBuilder.newBuilder("filesystem").credentials("identity", "credential").overrides(p).build(BlobStoreContext.class);
        BlobStore blobs = jclouds.getBlobStore();
        blobs.createContainerInLocation(null, "models");
        proxy = S3Proxy.builder().blobStore(blobs).endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, "access", "secret").build();
        proxy.start();
        org.awaitility.Awaitility.await().until(() -> proxy.getPort() > 0);
        store = new S3ModelStore(new S3ModelStore.Config(Optional.of(URI.create("http://127.0.0.1:" + proxy.getPort())), "us-east-1",
                "models", "prod/", "access", "secret"));
    }

    @AfterEach
    void stop() throws Exception {
        store.close();
        proxy.stop();
        jclouds.close();
    }

    @Test
    void putOpenAndServeThroughTheCore() throws Exception {
        PrincipalIdentity owner = PrincipalIdentity.generate(), user = PrincipalIdentity.generate();
        ModelId id = new ModelId(owner.id(), "affine");
        ModelKey mk = ModelKey.generate(1);
        byte[] onnx = TestModels.affine(3, 0);
        ByteArrayOutputStream enc = new ByteArrayOutputStream();
        ModelCipher.encrypt(new ByteArrayInputStream(onnx), onnx.length, enc, id, mk, 4096, n -> {});
        Path file = Files.write(dir.resolve("m.smodel"), enc.toByteArray());
        store.put(id, file);
        try (InputStream in = store.open(id)) {
            assertThat(in.readAllBytes()).isEqualTo(enc.toByteArray());
        }
        assertThat(store.describe()).isEqualTo("s3://models/prod/");
        assertThatThrownBy(() -> store.open(new ModelId(owner.id(), "missing"))).isInstanceOf(ModelNotFoundException.class);

        RequestKey rk = RequestKey.generate();
        InMemoryKeySource keys = new InMemoryKeySource(Clock.systemUTC(), Duration.ofMinutes(1));
        keys.putModelKey(id, mk);
        keys.grant(user.id(), id, rk);
        try (EnclaveRuntime core = EnclaveRuntime.create(CoreConfig.defaults(), keys, store)) {
            float[] x = {1, 2, 3, 4};
            RequestCipher c = new RequestCipher(rk);
            Outcome o = core.handle(EnvelopeJson.write(c.sealRequest(id, user.id(), "s3", OipCodec.writeRequest(request(floats("x", x, 1, 4)), true))));
            byte[] pt = c.openResponse(EnvelopeJson.parse(((Outcome.Sealed) o).envelopeJson()));
            assertThat(floatsOf(OipCodec.parseResponse(pt).outputs().get(0)))
                    .containsExactly(TestModels.affineExpected(3, x, 1), org.assertj.core.data.Offset.offset(1e-5f));
            // a modified object in the bucket is caught by the core
            byte[] bad = enc.toByteArray();
            bad[bad.length - 5] ^= 1;
            ModelId id2 = new ModelId(owner.id(), "tampered");
            ByteArrayOutputStream enc2 = new ByteArrayOutputStream();
            ModelCipher.encrypt(new ByteArrayInputStream(onnx), onnx.length, enc2, id2, mk, 4096, n -> {});
            byte[] t2 = enc2.toByteArray();
            t2[t2.length - 5] ^= 1;
            store.put(id2, Files.write(dir.resolve("t.smodel"), t2));
            keys.putModelKey(id2, mk);
            keys.grant(user.id(), id2, rk);
            Outcome o2 = core.handle(EnvelopeJson.write(c.sealRequest(id2, user.id(), "s3b", OipCodec.writeRequest(request(floats("x", x, 1, 4)), true))));
            assertThat(o2).isInstanceOfSatisfying(Outcome.Rejected.class, r -> assertThat(r.code()).isEqualTo(ErrorCode.MODEL_INTEGRITY));
        }
    }

    @Test
    void unreachableStoreIsAnIoError() throws Exception {
        S3ModelStore dead = new S3ModelStore(new S3ModelStore.Config(Optional.of(URI.create("http://127.0.0.1:1")), "us-east-1", "models", "",
                "access", "secret"));
        assertThatThrownBy(() -> dead.open(new ModelId(PrincipalIdentity.generate().id(), "x"))).isInstanceOf(java.io.IOException.class)
                .isNotInstanceOf(ModelNotFoundException.class);
        dead.close();
    }
}
