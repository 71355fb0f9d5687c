package org.sesemi.models.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sesemi.models.RealModels;
import org.sesemi.models.zoo.ModelGraph;
import org.sesemi.models.zoo.ZooModel;
import org.sesemi.models.zoo.ZooOptions;

/** The probe runs real models end to end; what it measures is not asserted (timing never decides a test). */
class LatencyProbeTest {
    @Test
    void measuresAGeneratedModelFromADirectBuffer() throws Exception {
        ModelGraph g = ZooModel.BERT_MINI.build(new ZooOptions(1, 1, 16));
        ByteBuffer model = LatencyProbe.materialize(g);
        assertThat(model.isDirect()).isTrue();
        assertThat((long) model.remaining()).isEqualTo(g.fileSize());
        LatencyProbe.Result r = LatencyProbe.measure("bert-mini", model, new LatencyProbe.Config(1, 3, 1, 16, Map.of()));
        assertThat(r.runs()).isEqualTo(3);
        assertThat(r.minMs()).isPositive().isLessThanOrEqualTo(r.p50Ms());
        assertThat(r.p50Ms()).isLessThanOrEqualTo(r.p90Ms());
        assertThat(r.p90Ms()).isLessThanOrEqualTo(r.maxMs());
        assertThat(r.inputShapes()).contains("input_ids[1, 16]");
    }

    @Test
    void fillsDynamicDimensionsOfARealModel() throws Exception {
        LatencyProbe.Result r = LatencyProbe.measure("minilm", RealModels.miniLmBytes(),
                new LatencyProbe.Config(0, 1, 1, 8, Map.of("token_type_ids", new long[] {1, 8})));
        assertThat(r.inputShapes()).containsExactlyInAnyOrder("input_ids[1, 8]", "attention_mask[1, 8]",
                "token_type_ids[1, 8]");
        assertThat(r.modelBytes()).isEqualTo(RealModels.MINILM_SIZE);
    }

    @Test
    void percentilesAreNearestRank() {
        double[] v = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
        assertThat(LatencyProbe.percentile(v, 0.5)).isEqualTo(5);
        assertThat(LatencyProbe.percentile(v, 0.9)).isEqualTo(9);
        assertThat(LatencyProbe.percentile(new double[] {3}, 0.9)).isEqualTo(3);
        assertThatThrownBy(() -> new LatencyProbe.Config(0, 0, 1, 1, Map.of())).isInstanceOf(IllegalArgumentException.class);
    }
}
