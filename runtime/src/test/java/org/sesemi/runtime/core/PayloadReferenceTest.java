package org.sesemi.runtime.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.sesemi.runtime.testing.Fixture.floats;
import static org.sesemi.runtime.testing.Fixture.floatsOf;
import static org.sesemi.runtime.testing.Fixture.request;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sesemi.protocol.oip.InferenceResponse;
import org.sesemi.protocol.oip.OipCodec;
import org.sesemi.client.inference.PayloadStore;
import org.sesemi.crypto.Envelope;
import org.sesemi.protocol.envelope.EnvelopeJson;
import org.sesemi.crypto.ModelId;
import org.sesemi.crypto.PayloadRef;
import org.sesemi.crypto.ReferenceEnvelope;
import org.sesemi.crypto.RequestCipher;
import org.sesemi.crypto.RequestEnvelope;
import org.sesemi.runtime.testing.Fixture;
import org.sesemi.runtime.testing.TestModels;

/**
 * Requests whose sealed payload lies in the model store's payload area: the core reads, deletes and checks the object,
 * answers large results by reference, and names every way a host can break the reference.
 */
class PayloadReferenceTest {
    static final int ROWS = 20_000; // 320 KB of input, 240 KB of output
    @TempDir Path dir;
    Fixture f;
    ModelId m;
    PayloadStore payloads;
    RequestCipher cipher;
    float[] x = new float[ROWS * 4];

    @BeforeEach
    void setUp() throws Exception {
        f = new Fixture(dir, CoreConfig.builder().payloadRefAbove(100_000).maxEnvelopeBytes(1 << 20).build());
        m = f.addModel("affine", TestModels.affine(3, 0));
        payloads = f.store.payloads().orElseThrow();
        cipher = new RequestCipher(f.requestKey);
        for (int i = 0; i < x.length; i++) {
            x[i] = (i % 17) - 8;
        }
    }

    @AfterEach
    void tearDown() {
        f.close();
    }

    private RequestCipher.ByReference sealed(String requestId) {
        return cipher.sealRequestByReference(m, f.user.id(), requestId, OipCodec.writeRequest(request(floats("x", x, ROWS, 4)), true),
                PayloadRef.newName());
    }

    private Path file(String name) {
        return f.store.root().resolve(name);
    }

    @Test
    void aReferencedRequestIsServedAndItsLargeAnswerComesBackByReference() throws Exception {
        RequestCipher.ByReference s = sealed("r-1");
        payloads.put(s.envelope().ref().name(), s.object());
        assertThat(file(s.envelope().ref().name())).exists();
        Outcome o = f.core.handle(EnvelopeJson.write(s.envelope()));
        assertThat(o).isInstanceOf(Outcome.Sealed.class);
        assertThat(file(s.envelope().ref().name())).as("the request object is deleted once read").doesNotExist();
        Envelope answer = EnvelopeJson.parseAny(((Outcome.Sealed) o).envelopeBytes(), 1 << 20);
        assertThat(answer).isInstanceOf(ReferenceEnvelope.class);
        ReferenceEnvelope r = (ReferenceEnvelope) answer;
        assertThat(r.requestId()).isEqualTo("r-1");
        byte[] object = Files.readAllBytes(file(r.ref().name()));
        assertThat(r.ref().length()).isEqualTo(object.length).isGreaterThan(ROWS * 3 * 4);
        InferenceResponse resp = OipCodec.parseResponse(cipher.openResponse(r, object));
        assertThat(floatsOf(resp.outputs().get(0))).containsExactly(TestModels.affineExpected(3, x, ROWS), org.assertj.core.data.Offset.offset(1e-3f));
    }

    @Test
    void aSmallAnswerToAReferencedRequestTravelsInline() throws Exception {
        RequestCipher.ByReference s = cipher.sealRequestByReference(m, f.user.id(), "r-small",
                OipCodec.writeRequest(request(floats("x", Arrays.copyOf(x, 8), 2, 4)), true), PayloadRef.newName());
        payloads.put(s.envelope().ref().name(), s.object());
        Outcome o = f.core.handle(EnvelopeJson.write(s.envelope()));
        RequestEnvelope inline = EnvelopeJson.parse(((Outcome.Sealed) o).envelopeBytes());
        assertThat(floatsOf(OipCodec.parseResponse(cipher.openResponse(inline)).outputs().get(0)))
                .containsExactly(TestModels.affineExpected(3, Arrays.copyOf(x, 8), 2), org.assertj.core.data.Offset.offset(1e-4f));
    }

    @Test
    void anInlineRequestWithTheAnswerByRefHintGetsItsLargeAnswerByReferenceAndWithoutItInline() throws Exception {
        byte[] plain = OipCodec.writeRequest(request(floats("x", x, ROWS, 4)), true);
        RequestEnvelope hinted = cipher.sealRequest(m, f.user.id(), "h-1", plain).withAnswerByRef(true);
        Outcome o = f.core.handle(EnvelopeJson.write(hinted));
        Envelope answer = EnvelopeJson.parseAny(((Outcome.Sealed) o).envelopeBytes(), 1 << 20);
        assertThat(answer).as("an answer above the threshold to a hinted inline request").isInstanceOf(ReferenceEnvelope.class);
        ReferenceEnvelope r = (ReferenceEnvelope) answer;
        assertThat(r.requestId()).isEqualTo("h-1");
        byte[] object = Files.readAllBytes(file(r.ref().name()));
        assertThat(object.length).isGreaterThan(100_000);
        assertThat(floatsOf(OipCodec.parseResponse(cipher.openResponse(r, object)).outputs().get(0)))
                .containsExactly(TestModels.affineExpected(3, x, ROWS), org.assertj.core.data.Offset.offset(1e-3f));

        RequestEnvelope plainEnv = cipher.sealRequest(m, f.user.id(), "h-2", plain);
        Outcome inline = f.core.handle(EnvelopeJson.write(plainEnv));
        RequestEnvelope e = EnvelopeJson.parse(((Outcome.Sealed) inline).envelopeBytes());
        assertThat(e.payload().length).as("without the hint the answer stays inline").isGreaterThan(100_000);
        assertThat(floatsOf(OipCodec.parseResponse(cipher.openResponse(e)).outputs().get(0)))
                .containsExactly(TestModels.affineExpected(3, x, ROWS), org.assertj.core.data.Offset.offset(1e-3f));
    }

    @Test
    void aSmallAnswerToAHintedRequestTravelsInline() throws Exception {
        RequestEnvelope hinted = cipher.sealRequest(m, f.user.id(), "h-small",
                OipCodec.writeRequest(request(floats("x", Arrays.copyOf(x, 8), 2, 4)), true)).withAnswerByRef(true);
        Outcome o = f.core.handle(EnvelopeJson.write(hinted));
        assertThat(EnvelopeJson.parseAny(((Outcome.Sealed) o).envelopeBytes(), 1 << 20)).isInstanceOf(RequestEnvelope.class);
    }

    @Test
    void aMissingObjectIsNamed() {
        RequestCipher.ByReference s = sealed("r-2");
        assertRejected(f.core.handle(EnvelopeJson.write(s.envelope())), ErrorCode.UNAVAILABLE, "payload_not_found");
    }

    @Test
    void aSwappedTruncatedOrOversizedObjectIsRefusedBeforeDecrypting() throws Exception {
        RequestCipher.ByReference a = sealed("r-3");
        RequestCipher.ByReference b = sealed("r-3");
        String name = a.envelope().ref().name();
        payloads.put(name, b.object());
        assertRejected(f.core.handle(EnvelopeJson.write(a.envelope())), ErrorCode.AUTHENTICATION_FAILED, "payload_swapped");
        assertThat(file(name)).doesNotExist();
        payloads.put(name, Arrays.copyOf(a.object(), a.object().length - 5));
        assertRejected(f.core.handle(EnvelopeJson.write(a.envelope())), ErrorCode.AUTHENTICATION_FAILED, "payload_truncated");
        payloads.put(name, Arrays.copyOf(a.object(), a.object().length + 5));
        assertRejected(f.core.handle(EnvelopeJson.write(a.envelope())), ErrorCode.AUTHENTICATION_FAILED, "payload_oversized");
        assertThat(f.keys.calls.get()).as("nothing was decrypted: no key was even fetched").isZero();
    }

    @Test
    void aSwappedReferenceDoesNotDecrypt() throws Exception {
        RequestCipher.ByReference a = sealed("r-4");
        PayloadRef moved = PayloadRef.of(PayloadRef.newName(), a.object()); // consistent length and hash, another name
        payloads.put(moved.name(), a.object());
        ReferenceEnvelope forged = new ReferenceEnvelope(m, f.user.id(), "r-4", moved);
        assertRejected(f.core.handle(EnvelopeJson.write(forged)), ErrorCode.AUTHENTICATION_FAILED, "authentication_failed");
    }

    @Test
    void aReferenceAboveTheEnvelopeLimitIsRefusedWithoutReading() throws Exception {
        byte[] big = new byte[(1 << 20) + 1];
        PayloadRef ref = PayloadRef.of(PayloadRef.newName(), big);
        payloads.put(ref.name(), big);
        Outcome o = f.core.handle(EnvelopeJson.write(new ReferenceEnvelope(m, f.user.id(), "r-" + UUID.randomUUID(), ref)));
        assertRejected(o, ErrorCode.TOO_LARGE, "payload_too_large");
        assertThat(((Outcome.Rejected) o).message()).contains("limit 1048576");
    }

    private static void assertRejected(Outcome o, ErrorCode code, String reason) {
        assertThat(o).isInstanceOfSatisfying(Outcome.Rejected.class, r -> {
            assertThat(r.code()).as(r.message()).isEqualTo(code);
            assertThat(r.reason()).isEqualTo(reason);
        });
    }
}
