package org.sesemi.runtime.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.sesemi.runtime.testing.Fixture.floats;
import static org.sesemi.runtime.testing.Fixture.floatsOf;
import static org.sesemi.runtime.testing.Fixture.request;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;
import org.sesemi.crypto.ModelId;
import org.sesemi.runtime.core.CoreConfig;
import org.sesemi.runtime.testing.Fixture;

/**
 * The real pretrained PP-OCR models from the shared folder (skipped when absent): predictions through the whole
 * secure path equal plain ONNX Runtime's with the same session options.
 */
class PpOcrModelsTest {
    @TempDir Path dir;

    @ParameterizedTest
    @CsvSource({"ppocr-cls-mobile-v2.onnx, 48, 192", "ppocr-det-v4.onnx, 160, 160"})
    void securePredictionsEqualPlainOnnxRuntime(String file, int h, int w) throws Exception {
        Path shared = Path.of(System.getProperty("sesemi.shared", "../shared"));
        Path model = shared.resolve("models/ppocr").resolve(file);
        assumeTrue(Files.isRegularFile(model), "pretrained PP-OCR weights (5 MB, kept out of the repository; see docs/models.md) are only in the optional ../shared/models folder: " + model + " is absent");
        byte[] onnx = Files.readAllBytes(model);
        float[] x = new float[3 * h * w];
        Random r = new Random(11);
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextFloat() * 2 - 1;
        }
        float[] plain;
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.setIntraOpNumThreads(1);
            o.addConfigEntry("session.intra_op.allow_spinning", "0");
            try (OrtSession s = env.createSession(onnx, o); OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {1, 3, h, w});
                    OrtSession.Result res = s.run(Map.of("x", t))) {
                FloatBuffer fb = ((OnnxTensor) res.get(0)).getFloatBuffer();
                plain = new float[fb.remaining()];
                fb.get(plain);
            }
        }
        try (Fixture f = new Fixture(dir, CoreConfig.defaults())) {
            ModelId id = f.addModel(file.replace(".onnx", ""), onnx);
            for (boolean binary : new boolean[] {true, false}) {
                float[] secure = floatsOf(f.call(id, request(floats("x", x, 1, 3, h, w)), binary).outputs().get(0));
                assertThat(secure).containsExactly(plain);
            }
        }
    }
}
