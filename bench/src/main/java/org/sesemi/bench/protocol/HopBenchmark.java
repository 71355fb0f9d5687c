package org.sesemi.bench.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
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
import org.sesemi.client.platform.RawInvoked;
import org.sesemi.crypto.Envelope;
import org.sesemi.crypto.RequestEnvelope;
import org.sesemi.protocol.action.RunBody;
import org.sesemi.protocol.envelope.EnvelopeJson;
import org.sesemi.protocol.envelope.FastEnvelopeJson;
import org.sesemi.protocol.envelope.RuntimeAnswer;
import org.sesemi.protocol.envelope.Timing;

/**
 * What each hop of a request pays to read an envelope and pass it on (issue 11, "parse once per hop"), before and
 * after, in one run: each {@code *Before} method is the code the hop ran before (a Jackson tree of the whole body and
 * the envelope written back to bytes, the timing spliced into a copy, the client's parse/strip/re-write/parse), each
 * {@code *After} the streaming reader of the protocol module that reads only what the hop needs and passes the rest
 * on as bytes. Run: {@code bench/run-jmh HopBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class HopBenchmark {
    @Param({"minilm", "ppocr-det"})
    String request;

    /** The runtime host's strict mapper before (RuntimeServer.JSON). */
    static final ObjectMapper HOST_JSON = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(Integer.MAX_VALUE).maxNestingDepth(1001).build()).build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();
    /** The gateway's and the clients' mapper before. */
    static final ObjectMapper JSON = JsonMapper.builder(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(Integer.MAX_VALUE).build()).build()).build();

    byte[] envelope;       // the request envelope (JSON) as the user sends it to the gateway
    byte[] runBody;        // {"value": envelope, ...} as the platform posts it to /run
    byte[] answer;         // the runtime's sealed answer (JSON envelope, same size class)
    Timing timing;
    byte[] timedAnswer;    // the answer with its timing member, as the user receives it
    byte[] activation;     // the platform's activation record around the timed answer, as the gateway receives it

    @Setup
    public void setup() {
        RequestEnvelope req = Envelopes.sealed(request);
        envelope = EnvelopeJson.write(req);
        runBody = concat("{\"action_name\":\"/guest/fn-0\",\"activation_id\":\"0123456789abcdef0123456789abcdef\",\"deadline\":\"1765130000000\","
                + "\"namespace\":\"guest\",\"value\":", envelope, "}");
        answer = FastEnvelopeJson.write(new RequestEnvelope(req.model(), req.user(), req.requestId(), req.payload()));
        timing = new Timing(false, 0, 0, 0, 0, 3.2, 4.1);
        timedAnswer = join(Timing.appendTo(answer, Optional.of(timing)));
        activation = concat("{\"activationId\":\"0123456789abcdef0123456789abcdef\",\"annotations\":[{\"key\":\"path\",\"value\":\"guest/fn-0\"},"
                + "{\"key\":\"waitTime\",\"value\":3},{\"key\":\"kind\",\"value\":\"blackbox\"}],\"duration\":5,\"end\":1765130000005,"
                + "\"logs\":[],\"name\":\"fn-0\",\"namespace\":\"guest\",\"publish\":false,\"response\":{\"result\":", timedAnswer,
                ",\"size\":" + timedAnswer.length + ",\"status\":\"success\",\"success\":true},\"start\":1765130000000,\"subject\":\"guest\","
                + "\"version\":\"0.0.1\"}");
    }

    // ---------------------------------------------------------------- gateway: read the model id, pass the body on

    @Benchmark
    public byte[] gatewayRequestBefore() throws Exception {
        Envelope e = EnvelopeJson.parseAny(envelope, Integer.MAX_VALUE);            // the whole envelope, payload decoded
        ObjectNode params = (ObjectNode) JSON.readTree(envelope);                  // and again, as a tree
        return e.model() == null ? null : JSON.writeValueAsBytes(params);          // written back for the platform
    }

    @Benchmark
    public byte[] gatewayRequestAfter() {
        return EnvelopeJson.readRouting(envelope, Integer.MAX_VALUE).model() == null ? null : envelope;
    }

    // ---------------------------------------------------------------- gateway: pass the activation's result back

    @Benchmark
    public byte[] gatewayAnswerBefore() throws Exception {
        JsonNode record = JSON.readTree(activation);
        return JSON.writeValueAsBytes(record.path("response").path("result"));
    }

    @Benchmark
    public ByteBuffer gatewayAnswerAfter() {
        return RawInvoked.of(200, Optional.empty(), activation).result();
    }

    // ---------------------------------------------------------------- runtime host: /run body in, envelope to the core

    @Benchmark
    public byte[] runtimeRequestBefore() throws Exception {
        JsonNode value = HOST_JSON.readTree(runBody).path("value");
        return HOST_JSON.writeValueAsBytes(value);
    }

    @Benchmark
    public byte[] runtimeRequestAfter() throws Exception {
        return RunBody.read(runBody).value().copyOf(runBody);
    }

    // ---------------------------------------------------------------- runtime host: sealed answer + timing out

    @Benchmark
    public byte[] runtimeAnswerBefore() {
        byte[] e = (",\"timing\":" + timing.json() + "}").getBytes(StandardCharsets.US_ASCII);
        byte[] out = java.util.Arrays.copyOf(answer, answer.length - 1 + e.length);
        System.arraycopy(e, 0, out, answer.length - 1, e.length);
        return out;
    }

    @Benchmark
    public List<ByteBuffer> runtimeAnswerAfter() {
        return Timing.appendTo(answer, Optional.of(timing));
    }

    // ---------------------------------------------------------------- user's client: the answer in, envelope out

    @Benchmark
    public Envelope clientAnswerBefore() throws Exception {
        JsonNode n = JSON.readTree(timedAnswer);
        ((ObjectNode) n).remove("timing");
        return EnvelopeJson.parseAny(JSON.writeValueAsBytes(n), Integer.MAX_VALUE);
    }

    @Benchmark
    public Envelope clientAnswerAfter() {
        return ((RuntimeAnswer.Sealed) RuntimeAnswer.read(timedAnswer)).envelope();
    }

    private static byte[] concat(String head, byte[] middle, String tail) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(middle.length + 512);
        out.writeBytes(head.getBytes(StandardCharsets.UTF_8));
        out.writeBytes(middle);
        out.writeBytes(tail.getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    private static byte[] join(List<ByteBuffer> parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (ByteBuffer b : parts) {
            out.write(b.array(), b.arrayOffset() + b.position(), b.remaining());
        }
        return out.toByteArray();
    }
}
