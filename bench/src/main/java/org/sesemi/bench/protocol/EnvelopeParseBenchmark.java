package org.sesemi.bench.protocol;

import com.fasterxml.jackson.core.Base64Variants;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.sesemi.crypto.ModelId;
import org.sesemi.crypto.PrincipalId;
import org.sesemi.crypto.RequestEnvelope;
import org.sesemi.protocol.envelope.EnvelopeJson;
import org.sesemi.protocol.envelope.FastEnvelopeJson;

/**
 * Issue 11: is the trusted core's second JSON parser ({@code FastEnvelopeJson}: a byte scanner for the canonical
 * envelope, base64 decoded straight from the received bytes) still worth having next to Jackson? Decodes one realistic
 * JSON request envelope ({@link Envelopes}: MiniLM, a few KB; PP-OCR det, about 6.5 MB) four ways, in one run:
 * {@code fast} ({@code FastEnvelopeJson.parse}, what the core runs), {@code reference} ({@code EnvelopeJson.parse}:
 * Jackson's streaming parser, the payload as a String, then {@code java.util.Base64}), and Jackson's streaming parser
 * decoding the base64 itself: {@code jacksonBinary} ({@code getBinaryValue}) and {@code jacksonReadBinary}
 * ({@code readBinaryValue} into a buffer sized from the body). Run: {@code bench/run-jmh EnvelopeParseBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class EnvelopeParseBenchmark {
    @Param({"minilm", "ppocr-det"})
    String request;

    static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(EnvelopeJson.DEFAULT_MAX_BYTES).maxNestingDepth(8).build())
            .build();

    byte[] json;

    @Setup
    public void setup() {
        json = EnvelopeJson.write(Envelopes.sealed(request));
    }

    @Benchmark
    public RequestEnvelope fast() {
        return FastEnvelopeJson.parse(json, Integer.MAX_VALUE);
    }

    @Benchmark
    public RequestEnvelope reference() {
        return EnvelopeJson.parse(json, Integer.MAX_VALUE);
    }

    @Benchmark
    public RequestEnvelope jacksonBinary() throws IOException {
        return streaming(json, false);
    }

    @Benchmark
    public RequestEnvelope jacksonReadBinary() throws IOException {
        return streaming(json, true);
    }

    /** The same four-field envelope read with Jackson decoding the payload's base64 (checks elided: a lower bound). */
    static RequestEnvelope streaming(byte[] json, boolean intoStream) throws IOException {
        String model = null, user = null, requestId = null;
        byte[] payload = null;
        try (JsonParser p = FACTORY.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("not an object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                if (p.nextToken() != JsonToken.VALUE_STRING) {
                    throw new IOException("not a string");
                }
                switch (name) {
                    case "model" -> model = p.getText();
                    case "user" -> user = p.getText();
                    case "requestId" -> requestId = p.getText();
                    case "payload" -> {
                        if (intoStream) {
                            ByteArrayOutputStream out = new ByteArrayOutputStream(json.length / 4 * 3);
                            p.readBinaryValue(Base64Variants.MIME_NO_LINEFEEDS, out);
                            payload = out.toByteArray();
                        } else {
                            payload = p.getBinaryValue(Base64Variants.MIME_NO_LINEFEEDS);
                        }
                    }
                    default -> throw new IOException("unknown field");
                }
            }
        }
        return new RequestEnvelope(ModelId.parse(model), PrincipalId.parse(user), requestId, payload);
    }
}
