package org.sesemi.protocol.envelope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Combinators;
import org.sesemi.crypto.CryptoException;
import org.sesemi.protocol.envelope.EnvelopeJson;
import org.sesemi.crypto.ModelId;
import org.sesemi.crypto.PrincipalId;
import org.sesemi.crypto.RequestEnvelope;

/** The fast envelope path must accept exactly what {@link EnvelopeJson} accepts, with the same result. */
class FastEnvelopeJsonTest {
    static final String OWNER = "a".repeat(64), USER = "b".repeat(64);

    @Property(tries = 300)
    void writeIsByteIdenticalAndParseRoundTrips(@ForAll("envelopes") RequestEnvelope e) {
        byte[] ref = EnvelopeJson.write(e);
        assertThat(FastEnvelopeJson.write(e)).isEqualTo(ref);
        assertThat(FastEnvelopeJson.parse(ref, 1 << 20)).isEqualTo(e);
    }

    @Property(tries = 1000)
    void mutatedInputsGiveTheSameVerdictAsTheReference(@ForAll("envelopes") RequestEnvelope e, @ForAll("mutations") Mutation m) {
        byte[] json = m.apply(EnvelopeJson.write(e));
        Optional<RequestEnvelope> ref = verdict(() -> EnvelopeJson.parse(json, 1 << 20));
        Optional<RequestEnvelope> fast = verdict(() -> FastEnvelopeJson.parse(json, 1 << 20));
        assertThat(fast).isEqualTo(ref);
    }

    @Property(tries = 200)
    void variantsTheFastPathHandsOffAreStillParsed(@ForAll("envelopes") RequestEnvelope e) {
        String s = new String(EnvelopeJson.write(e), StandardCharsets.UTF_8);
        String reordered = "{ \"payload\" : " + s.substring(s.indexOf("\"payload\":") + 10, s.length() - 1) + ", \"model\":\"" + e.model()
                + "\",\"requestId\":\"" + e.requestId() + "\",\n\"user\":\"" + e.user() + "\"" + (e.answerByRef() ? ", \"answerByRef\": true" : "") + " }\n";
        assertThat(FastEnvelopeJson.parse(reordered.getBytes(StandardCharsets.UTF_8), 1 << 20)).isEqualTo(e);
        String escaped = s.replace("\"model\"", "\"mod\\u0065l\"");
        assertThat(FastEnvelopeJson.parse(escaped.getBytes(StandardCharsets.UTF_8), 1 << 20)).isEqualTo(e);
    }

    @Property(tries = 100)
    void theAnswerByRefHintOutsideItsCanonicalPlaceIsStillParsed(@ForAll("envelopes") RequestEnvelope e) {
        String s = new String(EnvelopeJson.write(e.withAnswerByRef(false)), StandardCharsets.UTF_8);
        String first = "{\"answerByRef\" : true," + s.substring(1);
        assertThat(FastEnvelopeJson.parse(first.getBytes(StandardCharsets.UTF_8), 1 << 20)).isEqualTo(e.withAnswerByRef(true));
        String explicitFalse = "{\"answerByRef\":false," + s.substring(1);
        assertThat(FastEnvelopeJson.parse(explicitFalse.getBytes(StandardCharsets.UTF_8), 1 << 20)).isEqualTo(e.withAnswerByRef(false));
        String twice = s.replace("\"payload\":", "\"answerByRef\":true,\"answerByRef\":true,\"payload\":");
        assertThat(verdict(() -> FastEnvelopeJson.parse(twice.getBytes(StandardCharsets.UTF_8), 1 << 20))).isEmpty();
        String asString = s.replace("\"payload\":", "\"answerByRef\":\"true\",\"payload\":");
        assertThat(verdict(() -> FastEnvelopeJson.parse(asString.getBytes(StandardCharsets.UTF_8), 1 << 20))).isEmpty();
    }

    @Property(tries = 50)
    void oversizedIsTheReferenceError(@ForAll("envelopes") RequestEnvelope e) {
        byte[] json = EnvelopeJson.write(e);
        assertThatThrownBy(() -> FastEnvelopeJson.parse(json, json.length - 1))
                .isInstanceOfSatisfying(CryptoException.class, x -> assertThat(x.reason()).isEqualTo(CryptoException.Reason.TOO_LARGE));
    }

    static Optional<RequestEnvelope> verdict(java.util.function.Supplier<RequestEnvelope> f) {
        try {
            return Optional.of(f.get());
        } catch (CryptoException x) {
            return Optional.empty();
        }
    }

    record Mutation(int kind, int pos, int value) {
        byte[] apply(byte[] b) {
            if (b.length == 0) {
                return b;
            }
            int p = Math.floorMod(pos, b.length);
            return switch (kind) {
                case 0 -> { byte[] c = b.clone(); c[p] = (byte) value; yield c; }
                case 1 -> java.util.Arrays.copyOf(b, p);
                case 2 -> { byte[] c = new byte[b.length + 1]; System.arraycopy(b, 0, c, 0, p); c[p] = (byte) value;
                        System.arraycopy(b, p, c, p + 1, b.length - p); yield c; }
                default -> b;
            };
        }
    }

    @Provide
    Arbitrary<Mutation> mutations() {
        return Combinators.combine(Arbitraries.integers().between(0, 3), Arbitraries.integers(),
                Arbitraries.of(0, (int) '"', (int) '\\', (int) ',', (int) '}', (int) '{', (int) ' ', (int) '=', (int) 'A', (int) 'z', (int) '/', (int) ':', 0x80, (int) '\n')).as(Mutation::new);
    }

    @Provide
    Arbitrary<RequestEnvelope> envelopes() {
        Arbitrary<String> names = Arbitraries.strings().withChars("abcXYZ019._-").ofMinLength(1).ofMaxLength(20).filter(n -> !n.startsWith("."));
        Arbitrary<String> ids = Arbitraries.strings().withChars("abcXYZ019._:-").ofMinLength(1).ofMaxLength(40);
        Arbitrary<byte[]> payloads = Arbitraries.bytes().array(byte[].class).ofMinSize(28).ofMaxSize(300);
        return Combinators.combine(names, ids, payloads, Arbitraries.of(false, true)).as((n, id, p, byRef) ->
                new RequestEnvelope(new ModelId(new PrincipalId(OWNER), n), new PrincipalId(USER), id, p, byRef));
    }
}
