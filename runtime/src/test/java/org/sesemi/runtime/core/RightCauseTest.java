package org.sesemi.runtime.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.sesemi.runtime.testing.Fixture.floats;
import static org.sesemi.runtime.testing.Fixture.request;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sesemi.protocol.envelope.EnvelopeJson;
import org.sesemi.crypto.ModelId;
import org.sesemi.runtime.store.ModelStore;
import org.sesemi.runtime.testing.Fixture;
import org.sesemi.runtime.testing.TestModels;

/** Rejections name the real cause: a host that forges an encrypted model's header is caught as tampering. */
class RightCauseTest {
    @TempDir Path dir;

    @Test
    void aForgedModelLengthIsTamperingNotAModelTooLarge() throws Exception {
        try (Fixture f = new Fixture(dir, CoreConfig.defaults())) {
            ModelId m = f.addModel("affine", TestModels.affine(1, 0));
            Path file = f.store.root().resolve(ModelStore.objectName(m));
            byte[] b = Files.readAllBytes(file);
            int idLen = ByteBuffer.wrap(b, 6, 2).getShort() & 0xffff;
            ByteBuffer.wrap(b, 16 + idLen, 8).putLong(2_000_000_000L); // the host claims a 2 GB model
            Files.write(file, b);
            Outcome o = f.core.handle(EnvelopeJson.write(f.seal(m, request(floats("x", new float[] {1, 2, 3, 4}, 1, 4)), false)));
            assertThat(o).isInstanceOfSatisfying(Outcome.Rejected.class, r -> {
                // Before: model_too_large / model_too_large, blaming the owner's model for the host's forgery.
                assertThat(r.code()).isEqualTo(ErrorCode.MODEL_INTEGRITY);
                assertThat(r.reason()).isEqualTo("header_tampered");
            });
        }
    }
}
