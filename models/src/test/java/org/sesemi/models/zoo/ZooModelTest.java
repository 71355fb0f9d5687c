package org.sesemi.models.zoo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Architecture facts that need no weights: parameter and MAC counts, signatures, sizes, determinism. */
class ZooModelTest {

    @ParameterizedTest(name = "{0}")
    @EnumSource(ZooModel.class)
    void parameterCountMatchesTheReferenceExactlyAndThePaperWithinOnePercent(ZooModel m) {
        ModelGraph g = m.build(ZooOptions.defaults());
        assertThat(g.parameterCount()).as(m.cliName()).isEqualTo(m.referenceParameters());
        double off = Math.abs(g.parameterCount() - m.publishedParameters()) / (double) m.publishedParameters();
        assertThat(off).as("%s: %d vs published %d", m.cliName(), g.parameterCount(), m.publishedParameters())
                .isLessThan(0.01);
    }

    @Test
    void macCountsMatchPublishedFigures() {
        // Published multiply-accumulates at 224×224 (papers / torchvision docs), within 3%.
        Map<ZooModel, Double> published = Map.of(
                ZooModel.MOBILENET_V1, 569e6, ZooModel.MOBILENET_V2, 300e6, ZooModel.RESNET_50, 4.09e9,
                ZooModel.RESNET_101, 7.80e9, ZooModel.DENSENET_121, 2.83e9);
        published.forEach((m, macs) -> assertThat((double) m.build(ZooOptions.defaults()).macs())
                .as(m.cliName()).isCloseTo(macs, within(macs * 0.03)));
        // BERT-base at sequence 128: 12 × (128·(4·768² + 2·768·3072) + 2·128²·768) + pooler 768².
        assertThat(ZooModel.BERT_BASE.build(ZooOptions.defaults()).macs())
                .isEqualTo(12L * (128L * (4L * 768 * 768 + 2L * 768 * 3072) + 2L * 128 * 128 * 768) + 768L * 768);
    }

    @Test
    void macsScaleWithBatch() {
        long one = ZooModel.RESNET_50.build(ZooOptions.defaults()).macs();
        long four = ZooModel.RESNET_50.build(new ZooOptions(1, 4, 128)).macs();
        assertThat(four).isEqualTo(4 * one);
    }

    @Test
    void signaturesAreTheImageNetAndBertOnes() {
        for (ZooModel m : ZooModel.values()) {
            ModelGraph g = m.build(new ZooOptions(7, 2, 64));
            if (m.isTransformer()) {
                assertThat(g.inputs()).extracting(TensorSpec::toString)
                        .containsExactly("input_ids int64[2,64]", "attention_mask int64[2,64]", "token_type_ids int64[2,64]");
                long h = m == ZooModel.BERT_BASE ? 768 : 256;
                assertThat(g.outputs()).extracting(TensorSpec::toString)
                        .containsExactly("last_hidden_state float[2,64," + h + "]", "pooler_output float[2," + h + "]");
            } else {
                assertThat(g.inputs()).extracting(TensorSpec::toString).containsExactly("input float[2,3,224,224]");
                assertThat(g.outputs()).extracting(TensorSpec::toString).containsExactly("logits float[2,1000]");
            }
        }
    }

    @Test
    void predictedFileSizeIsExactAndBertBaseStreamsInSmallMemory() throws IOException {
        // Counting only: the whole 440 MB BERT-base goes through a 64 KB buffer; -Xmx1g for the tests would not
        // hold it twice, and nothing here keeps it.
        for (ZooModel m : ZooModel.values()) {
            ModelGraph g = m.build(ZooOptions.defaults());
            CountingStream out = new CountingStream();
            g.writeTo(out);
            assertThat(out.count).as(m.cliName()).isEqualTo(g.fileSize());
            // float32 weights dominate: file ≈ 4 bytes per stored value.
            assertThat(g.fileSize()).isGreaterThan(4 * g.parameterCount());
        }
    }

    @Test
    void streamedBytesParseToTheMaterialisedModel() throws IOException {
        for (ZooModel m : new ZooModel[] {ZooModel.BERT_MINI, ZooModel.MOBILENET_V2}) {
            ModelGraph g = m.build(ZooOptions.defaults());
            ModelProto parsed = ModelProto.parseFrom(bytes(g));
            assertThat(parsed).isEqualTo(g.toModelProto());
            assertThat(parsed.getIrVersion()).isEqualTo(8);
            assertThat(parsed.getOpsetImport(0).getVersion()).isEqualTo(17);
        }
    }

    @Test
    void sameSeedSameBytesOtherSeedOtherBytes() throws IOException {
        ZooOptions o = new ZooOptions(42, 1, 32);
        byte[] a = bytes(ZooModel.BERT_MINI.build(o));
        byte[] b = bytes(ZooModel.BERT_MINI.build(o));
        byte[] c = bytes(ZooModel.BERT_MINI.build(o.withSeed(43)));
        assertThat(a).isEqualTo(b);
        assertThat(c).hasSameSizeAs(a).isNotEqualTo(a);
        assertThat(bytes(ZooModel.MOBILENET_V1.build(o))).isEqualTo(bytes(ZooModel.MOBILENET_V1.build(o)));
    }

    @Test
    void convenienceWritersGiveTheSameBytes(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws IOException {
        ModelGraph g = ZooModel.MOBILENET_V2.build(new ZooOptions(8, 1, 128));
        byte[] streamed = bytes(g);
        assertThat(g.toByteArray()).isEqualTo(streamed);
        java.nio.file.Path f = dir.resolve("m.onnx");
        g.writeTo(f);
        assertThat(java.nio.file.Files.readAllBytes(f)).isEqualTo(streamed);
        assertThat(dir.resolve("m.onnx.partial")).doesNotExist();
    }

    /**
     * Pins the generator's output across JDKs, machines and releases: a change here means every published benchmark
     * model changes too, so it must be deliberate (then update the hashes and say so in the commit).
     */
    @Test
    void goldenHashesPinTheGeneratedBytes() throws Exception {
        java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
        assertThat(java.util.HexFormat.of().formatHex(sha.digest(bytes(ZooModel.MOBILENET_V1.build(ZooOptions.defaults())))))
                .isEqualTo("06f01b853d7ddeaee0d452cfd4213a7307a5427c9c6b1f34618f612fddff0e44");
        assertThat(java.util.HexFormat.of().formatHex(sha.digest(bytes(ZooModel.BERT_MINI.build(new ZooOptions(1, 1, 16))))))
                .isEqualTo("750a3c98a4ad38fa85a3ff3150de00d359a163cb054a5adf168192b8cc270c71");
    }

    @Test
    void metadataSaysTheWeightsAreNotTrained() throws IOException {
        ModelProto p = ModelProto.parseFrom(bytes(ZooModel.MOBILENET_V1.build(ZooOptions.defaults())));
        Map<String, String> meta = p.getMetadataPropsList().stream()
                .collect(Collectors.toMap(StringStringEntryProto::getKey, StringStringEntryProto::getValue));
        assertThat(meta).containsEntry("sesemi.trained", "false").containsEntry("sesemi.zoo.model", "mobilenet-v1")
                .containsEntry("sesemi.zoo.seed", "1");
        assertThat(meta.get("sesemi.zoo.weights")).startsWith("UNTRAINED");
        assertThat(p.getDocString()).startsWith("UNTRAINED").contains("not a trained model".substring(1));
    }

    @Test
    void initializerNamesFollowTheReferenceImplementations() throws IOException {
        ModelProto p = ModelProto.parseFrom(bytes(ZooModel.BERT_MINI.build(ZooOptions.defaults())));
        assertThat(p.getGraph().getInitializerList()).extracting(t -> t.getName())
                .contains("embeddings.word_embeddings.weight", "encoder.layer.3.attention.self.query.weight",
                        "encoder.layer.3.output.LayerNorm.weight", "pooler.dense.weight");
        assertThat(ZooModel.byName("RESNET-50")).contains(ZooModel.RESNET_50);
        assertThat(ZooModel.byName("resnet-52")).isEmpty();
    }

    @Test
    void optionsAreValidated() {
        assertThatThrownBy(() -> new ZooOptions(1, 0, 128)).hasMessageContaining("batch");
        assertThatThrownBy(() -> new ZooOptions(1, 1, 513)).hasMessageContaining("seq-len");
        assertThatThrownBy(() -> new ZooOptions(1, 1025, 1)).hasMessageContaining("batch");
    }

    static byte[] bytes(ModelGraph g) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        g.writeTo(out);
        return out.toByteArray();
    }

    static final class CountingStream extends OutputStream {
        long count;

        @Override
        public void write(int b) {
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            count += len;
        }
    }
}
