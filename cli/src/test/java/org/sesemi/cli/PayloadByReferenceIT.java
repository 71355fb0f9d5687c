package org.sesemi.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.sesemi.protocol.oip.DataType;
import org.sesemi.client.inference.DirectoryPayloadStore;
import org.sesemi.client.inference.InferenceClient;
import org.sesemi.protocol.oip.InferenceRequest;
import org.sesemi.client.inference.RuntimeRejectedException;
import org.sesemi.protocol.oip.Tensor;
import org.sesemi.client.platform.OpenWhiskClient;
import org.sesemi.crypto.ModelId;
import org.sesemi.packer.gateway.GatewayConfig;
import org.sesemi.packer.gateway.PackerGateway;
import org.sesemi.packer.sim.CostModel;
import org.sesemi.platform.PlatformServer;
import org.sesemi.runtime.core.RuntimeSettings;

/**
 * Issue 12 §3: on the embedded platform with a stock OpenWhisk's limits (1 MiB payload and result), PP-OCR's text
 * detector gets a 640×640 image (4.9 MB of FP32, a 4.9 MB sealed payload) and answers a 640×640 probability map
 * (1.6 MB): both travel by reference through the model store's payload area, transparently to {@link InferenceClient},
 * and the answer equals ONNX Runtime's on the plaintext; the same through FnPacker's gateway. The same request without
 * a payload store is refused with 413 by the platform and by the gateway, and no payload object is left in the store.
 */
class PayloadByReferenceIT {
    static final int SIDE = 640;

    @Test
    void aPpOcrImageAboveOpenWhisksPayloadLimitTravelsByReference() throws Exception {
        Path det = Path.of(System.getProperty("sesemi.shared", "../../shared"), "models/ppocr/ppocr-det-v4.onnx");
        assumeTrue(Files.isRegularFile(det), "PP-OCR det v4 is not at " + det + " (the shared models directory): nothing to send");
        float[] image = new float[3 * SIDE * SIDE];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < SIDE; y++) {
                for (int x = 0; x < SIDE; x++) { // dark "text lines" on a light page, normalized as PaddleOCR does
                    boolean ink = (y / 24) % 3 == 1 && (x / 9) % 4 != 3 && x > 40 && x < 600;
                    image[(c * SIDE + y) * SIDE + x] = ink ? -1.8f : 1.9f - 0.1f * c;
                }
            }
        }
        ByteBuffer bytes = ByteBuffer.allocate(image.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(image);
        InferenceRequest req = new InferenceRequest(Optional.empty(), InferenceRequest.Operation.INFER,
                List.of(new Tensor("x", DataType.FP32, new long[] {1, 3, SIDE, SIDE}, bytes)), List.of(), false);

        try (LocalStack stack = LocalStack.start("sesemi-payload-ref-it", 1024, false, Optional.empty(), true)) {
            ModelId model = stack.publish("ppocr-det", Files.readAllBytes(det));
            // The stack's input limits are MiniLM's; this model takes one 3×640×640 image.
            Map<String, String> limits = Map.of(RuntimeSettings.INPUT_LIMITS, model + "=elements:" + 3 * SIDE * SIDE + ",bytes:8m,batch:1");
            stack.createFunction("ocr", 512, 1, limits);
            InferenceClient inline = InferenceClient.viaOpenWhisk(stack.platform.apiHost(), PlatformServer.GUEST_API_KEY, "ocr",
                    stack.user.id(), model, stack.requestKey);
            assertThatThrownBy(() -> inline.infer(req, true)).as("without a payload store the envelope exceeds the platform's 1 MiB")
                    .isInstanceOfSatisfying(RuntimeRejectedException.class, e -> assertThat(e.status()).isEqualTo(413));

            // The cold start (runtime process, attestation, keys) in a non-blocking activation, so the request below is warm.
            String coldStart = stack.platformClient.invoke("ocr", null, false, 0).activationId();
            assertThat(stack.platformClient.awaitActivation(coldStart, Duration.ofMinutes(3))).as("the cold start finished").isPresent();

            Path payloads = stack.store.root().resolve("payloads");
            InferenceClient byRef = inline.withPayloadStore(new DirectoryPayloadStore(stack.store.root()));
            long t0 = System.nanoTime();
            InferenceClient.Result r = byRef.infer(req, true);
            System.out.printf("PP-OCR det %dx%d by reference through the platform: %.0f ms%n", SIDE, SIDE, (System.nanoTime() - t0) / 1e6);
            Tensor out = r.response().outputs().getFirst();
            assertThat(out.shape()).containsExactly(1, 1, SIDE, SIDE);
            assertThat(out.byteLength()).as("the answer is above the result limit too").isGreaterThan(1 << 20);
            float[] got = new float[SIDE * SIDE];
            out.data().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(got);
            float[] want = reference(det, image);
            float maxDiff = 0;
            for (int i = 0; i < got.length; i++) {
                maxDiff = Math.max(maxDiff, Math.abs(got[i] - want[i]));
            }
            assertThat(maxDiff).as("largest difference to ONNX Runtime on the plaintext").isLessThan(1e-4f);
            assertNoObjectsLeft(payloads);

            // The same through FnPacker's gateway (1 MiB envelope limit, like the platform's), which routes by the
            // reference envelope's model id.
            GatewayConfig config = GatewayConfig.builder().group("ref")
                    .function(OpenWhiskClient.BlackboxAction.of(PlatformCommand.SEMIRT_IMAGE).withMemoryMb(512).withConcurrency(1)
                            .withInitParameters(stack.initParameters(limits)))
                    .policy("affinity", CostModel.builder().capacity(1).cacheSlots(2).build().policyConfig(1)).maxModels(16).build();
            try (PackerGateway gateway = PackerGateway.start(config, stack.platformClient)) {
                URI invoke = gateway.uri().resolve("/v1/invoke");
                InferenceClient viaGateway = new InferenceClient(invoke, InferenceClient.Protocol.ENVELOPE, stack.user.id(), model, stack.requestKey);
                assertThatThrownBy(() -> viaGateway.infer(req, true)).as("inline, the envelope exceeds the gateway's 1 MiB")
                        .isInstanceOfSatisfying(RuntimeRejectedException.class, e -> assertThat(e.status()).isEqualTo(413));
                Tensor again = viaGateway.withPayloadStore(new DirectoryPayloadStore(stack.store.root())).infer(req, true).response().outputs()
                        .getFirst();
                float[] v = new float[SIDE * SIDE];
                again.data().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
                assertThat(v).containsExactly(got);
            }
            assertNoObjectsLeft(payloads);
        }
    }

    private static void assertNoObjectsLeft(Path payloads) throws java.io.IOException {
        try (Stream<Path> left = Files.exists(payloads) ? Files.list(payloads) : Stream.empty()) {
            assertThat(left.toList()).as("request and answer objects are deleted after use").isEmpty();
        }
    }

    /** ONNX Runtime on the plaintext model and image, in this JVM. */
    private static float[] reference(Path model, float[] image) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession s = env.createSession(model.toString(), new OrtSession.SessionOptions());
                OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(image), new long[] {1, 3, SIDE, SIDE});
                OrtSession.Result r = s.run(Map.of("x", x))) {
            FloatBuffer fb = ((OnnxTensor) r.get(0)).getFloatBuffer();
            float[] v = new float[fb.remaining()];
            fb.get(v);
            return v;
        }
    }
}
