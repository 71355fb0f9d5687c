package org.sesemi.protocol.envelope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;
import org.sesemi.crypto.CryptoException;
import org.sesemi.crypto.ModelId;
import org.sesemi.crypto.PayloadRef;
import org.sesemi.crypto.PrincipalId;
import org.sesemi.crypto.ReferenceEnvelope;
import org.sesemi.crypto.RequestEnvelope;

/** The one pass over a runtime's answer, and its agreement with the strict envelope parser. */
class RuntimeAnswerTest {
    static final ModelId MODEL = ModelId.parse("a".repeat(64) + "/m");
    static final PrincipalId USER = PrincipalId.parse("b".repeat(64));

    static byte[] join(List<ByteBuffer> parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        parts.forEach(b -> out.write(b.array(), b.arrayOffset() + b.position(), b.remaining()));
        return out.toByteArray();
    }

    static RuntimeAnswer read(String s) {
        return RuntimeAnswer.read(s.getBytes(StandardCharsets.UTF_8));
    }

    @Property(tries = 100)
    void aTimedEnvelopeReadsBackAsTheEnvelopeAndItsTiming(@ForAll @Size(min = 28, max = 3000) byte[] payload, @ForAll boolean cold) {
        RequestEnvelope e = new RequestEnvelope(MODEL, USER, "r-1", payload);
        Timing t = new Timing(cold, 1.5, 2, 3, 4, 5.25, 16);
        byte[] wire = join(Timing.appendTo(FastEnvelopeJson.write(e), Optional.of(t)));
        RuntimeAnswer.Sealed s = (RuntimeAnswer.Sealed) RuntimeAnswer.read(wire);
        assertThat(s.envelope()).isEqualTo(e);
        assertThat(s.timing()).contains(Map.of("cold", cold ? 1.0 : 0.0, "keyFetchMs", 1.5, "modelFetchMs", 2.0, "decryptMs", 3.0,
                "sessionMs", 4.0, "inferenceMs", 5.25, "totalMs", 16.0));
        assertThat(((RuntimeAnswer.Sealed) RuntimeAnswer.read(EnvelopeJson.write(e))).timing()).isEmpty();
        assertThat(RuntimeAnswer.timingHeader(t.json())).isEqualTo(s.timing().get());
    }

    @Test
    void withoutTimingTheEnvelopesAreExactlyThoseTheStrictParserAccepts() {
        ReferenceEnvelope ref = new ReferenceEnvelope(MODEL, USER, "r", new PayloadRef(PayloadRef.newName(), 100, new byte[32]));
        assertThat(((RuntimeAnswer.Sealed) RuntimeAnswer.read(EnvelopeJson.write(ref))).envelope()).isEqualTo(ref);
        String ok = "{\"model\":\"" + MODEL + "\",\"user\":\"" + USER.hex() + "\",\"requestId\":\"r\",\"payload\":\"" + "A".repeat(40) + "\"}";
        for (String bad : new String[] {ok.replace("}", ",\"extra\":1}"), ok.replace("\"r\"", "\"r r\""), ok.replace("A\"", "!\""),
                ok.replace("}", ",\"payload\":\"AAAA\"}"), ok.replace("{", "{\"model\":\"x\",")}) {
            assertThatThrownBy(() -> EnvelopeJson.parseAny(bad.getBytes(StandardCharsets.UTF_8), 1 << 20)).isInstanceOf(CryptoException.class);
            assertThatThrownBy(() -> read(bad)).as(bad).isInstanceOf(CryptoException.class)
                    .hasFieldOrPropertyWithValue("reason", CryptoException.Reason.MALFORMED);
        }
    }

    @Test
    void rejectionsAcceptedActivationsAndNonJson() {
        assertThat(read("{\"error\":{\"code\":\"denied\",\"reason\":\"no_grant\",\"message\":\"m\",\"x\":[1]}}"))
                .isEqualTo(new RuntimeAnswer.Rejected("denied", "no_grant", "m"));
        assertThat(read("{\"error\":{\"message\":\"m\"}}")).isEqualTo(new RuntimeAnswer.Rejected("error", "", "m"));
        assertThat(read("{\"code\":\"abc\",\"error\":\"The action did not produce a valid response.\"}"))
                .as("OpenWhisk's error, other members first").isEqualTo(new RuntimeAnswer.Rejected("error", "error", "The action did not produce a valid response."));
        assertThat(read("{\"activationId\":\"0123\"}")).isEqualTo(new RuntimeAnswer.Accepted("0123"));
        assertThat(read("[]")).isInstanceOf(RuntimeAnswer.NotJson.class);
        assertThat(read("<html>")).isEqualTo(new RuntimeAnswer.NotJson("is not JSON"));
        assertThat(read("{\"error\":")).isEqualTo(new RuntimeAnswer.NotJson("is not JSON"));
        assertThat(RuntimeAnswer.timingHeader("nonsense")).isEmpty();
    }

    @Test
    void theGatewayReadsTheRoutingFieldsWithoutThePayload() {
        RequestEnvelope e = new RequestEnvelope(MODEL, USER, "r-9", new byte[5000], true);
        EnvelopeJson.Routing r = EnvelopeJson.readRouting(EnvelopeJson.write(e), 1 << 20);
        assertThat(r).isEqualTo(new EnvelopeJson.Routing(MODEL, USER, "r-9", false));
        ReferenceEnvelope ref = new ReferenceEnvelope(MODEL, USER, "r", new PayloadRef(PayloadRef.newName(), 100, new byte[32]));
        assertThat(EnvelopeJson.readRouting(EnvelopeJson.write(ref), 1 << 20).byReference()).isTrue();
        String ok = new String(EnvelopeJson.write(e), StandardCharsets.UTF_8);
        for (String bad : new String[] {ok.replace("}", ",\"extra\":1}"), ok.replace("\"r-9\"", "\"r 9\""), ok.replace("\"payload\":\"", "\"payload\":1,\"x\":\""),
                ok.replace("}", ",\"payload\":\"AAAA\"}"), "[]", ok + "x", ok.replace("\"model\"", "\"modell\"")}) {
            assertThatThrownBy(() -> EnvelopeJson.readRouting(bad.getBytes(StandardCharsets.UTF_8), 1 << 20)).as(bad)
                    .isInstanceOf(CryptoException.class).hasFieldOrPropertyWithValue("reason", CryptoException.Reason.MALFORMED);
        }
        assertThatThrownBy(() -> EnvelopeJson.readRouting(ok.getBytes(StandardCharsets.UTF_8), 100))
                .hasFieldOrPropertyWithValue("reason", CryptoException.Reason.TOO_LARGE);
    }
}
