package org.sesemi.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.io.IOException;
import java.io.InputStream;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real pretrained weights: MiniLM from Maven Central (always), PP-OCR from the shared folder (when present). */
class RealModelsTest {
    static OrtEnvironment env;
    static OrtSession miniLm;
    static String vocabJson;

    @BeforeAll
    static void load() throws Exception {
        env = OrtEnvironment.getEnvironment();
        miniLm = env.createSession(RealModels.miniLmBytes(), new OrtSession.SessionOptions());
        try (InputStream in = RealModels.class.getClassLoader()
                .getResourceAsStream(RealModels.MINILM_TOKENIZER_RESOURCE)) {
            vocabJson = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void miniLmIsOnTheClasspathWithTheBertSignature() throws Exception {
        assertThat(RealModels.miniLmAvailable()).isTrue();
        assertThat(miniLm.getInputNames()).containsExactlyInAnyOrder("input_ids", "attention_mask", "token_type_ids");
        TensorInfo out = (TensorInfo) miniLm.getOutputInfo().get("last_hidden_state").getInfo();
        assertThat(out.getShape()).hasSize(3).endsWith(RealModels.MINILM_HIDDEN);
    }

    @Test
    void miniLmEmbedsSentencesLikeATrainedModel() throws Exception {
        float[] cat = embed("the cat is sleeping on the sofa");
        float[] kitten = embed("a kitten sleeps on the couch");
        float[] stocks = embed("stock prices fell sharply today");
        for (float v : cat) {
            assertThat(Float.isFinite(v)).isTrue();
        }
        // Pretrained weights put paraphrases close together; untrained ones would not separate these.
        assertThat(cosine(cat, kitten)).isGreaterThan(cosine(cat, stocks) + 0.2);
    }

    @Test
    void extractWritesAVerifiedCopyOnceAndReusesIt(@TempDir Path dir) throws IOException {
        Path p = RealModels.extractMiniLm(dir);
        assertThat(p).hasFileName(RealModels.MINILM_RESOURCE);
        assertThat(Files.size(p)).isEqualTo(RealModels.MINILM_SIZE);
        long modified = Files.getLastModifiedTime(p).toMillis();
        assertThat(RealModels.extractMiniLm(dir)).isEqualTo(p);
        assertThat(Files.getLastModifiedTime(p).toMillis()).isEqualTo(modified);
        try (var files = Files.list(dir)) {
            assertThat(files).containsExactly(p);
        }
    }

    @Test
    void extractReplacesATamperedCopy(@TempDir Path dir) throws IOException {
        Path p = RealModels.extractMiniLm(dir);
        byte[] bytes = Files.readAllBytes(p);
        bytes[bytes.length / 2] ^= 1;
        Files.write(p, bytes);
        RealModels.extractMiniLm(dir);
        assertThat(Files.readAllBytes(p)).isEqualTo(RealModels.miniLmBytes());
    }

    @Test
    void ppOcrClassifierFromTheSharedFolder() throws Exception {
        Optional<Path> cls = RealModels.shared(RealModels.PPOCR_CLS);
        assumeTrue(cls.isPresent(), "pretrained PP-OCR weights (5 MB, kept out of the repository; see docs/models.md) are only in the optional ../shared/models folder; absent here");
        try (OrtSession s = env.createSession(cls.get().toString(), new OrtSession.SessionOptions())) {
            float[] image = new float[3 * 48 * 192];
            for (int i = 0; i < image.length; i++) {
                image[i] = (i % 192) / 96f - 1;
            }
            try (OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(image), new long[] {1, 3, 48, 192});
                    OrtSession.Result r = s.run(Map.of("x", x))) {
                float[][] probs = (float[][]) r.get(0).getValue();
                assertThat(probs[0]).hasSize(2);
                assertThat(probs[0][0] + probs[0][1]).isCloseTo(1f, org.assertj.core.data.Offset.offset(1e-4f));
            }
        }
    }

    private static float[] embed(String sentence) throws Exception {
        String[] words = sentence.split(" ");
        long[] ids = new long[words.length + 2];
        ids[0] = tokenId("[CLS]");
        for (int i = 0; i < words.length; i++) {
            ids[i + 1] = tokenId(words[i]);
        }
        ids[ids.length - 1] = tokenId("[SEP]");
        long[] ones = new long[ids.length];
        java.util.Arrays.fill(ones, 1);
        long[] shape = {1, ids.length};
        Map<String, OnnxTensor> in = new HashMap<>();
        try {
            in.put("input_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape));
            in.put("attention_mask", OnnxTensor.createTensor(env, LongBuffer.wrap(ones), shape));
            in.put("token_type_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(new long[ids.length]), shape));
            try (OrtSession.Result r = miniLm.run(in)) {
                float[][][] h = (float[][][]) r.get("last_hidden_state").orElseThrow().getValue();
                float[] mean = new float[RealModels.MINILM_HIDDEN];
                for (float[] token : h[0]) {
                    for (int j = 0; j < mean.length; j++) {
                        mean[j] += token[j] / h[0].length;
                    }
                }
                return mean;
            }
        } finally {
            in.values().forEach(OnnxTensor::close);
        }
    }

    /** Whole-word lookup in the tokenizer's WordPiece vocabulary (the test sentences use only whole words). */
    private static long tokenId(String word) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(word) + "\":\\s*(\\d+)").matcher(vocabJson);
        assertThat(m.find()).as("vocabulary has %s", word).isTrue();
        return Long.parseLong(m.group(1));
    }

    private static double cosine(float[] a, float[] b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        return dot / Math.sqrt(na * nb);
    }
}
