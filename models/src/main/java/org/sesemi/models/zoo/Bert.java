package org.sesemi.models.zoo;

import java.util.List;
import org.sesemi.models.zoo.GraphBuilder.Value;

/**
 * BERT encoders (Hugging Face {@code BertModel} layer for layer, with its initializer names): embeddings (word,
 * position, token type, LayerNorm), N post-LN encoder layers with exact-erf GELU, and the tanh pooler.
 *
 * <p>Inputs {@code input_ids}, {@code attention_mask}, {@code token_type_ids}: int64 [B,S]. Outputs
 * {@code last_hidden_state} float [B,S,H] and {@code pooler_output} float [B,H]. Weights are drawn with BERT's
 * own initializer scale (standard deviation 0.02), so LayerNorm keeps every activation finite.
 */
final class Bert {
    static final int VOCAB = 30522;
    static final int MAX_POSITIONS = 512;
    static final int TYPE_VOCAB = 2;
    static final float STD = 0.02f;
    static final float LN_EPS = 1e-12f;

    record Config(int layers, int hidden, int heads, int intermediate) {}

    private Bert() {}

    static ModelGraph build(ZooModel model, ZooOptions o, Config c) {
        GraphBuilder b = new GraphBuilder(model.cliName());
        long batch = o.batch();
        long seq = o.seqLen();
        int h = c.hidden();
        int headDim = h / c.heads();
        Value ids = b.input("input_ids", ElementType.INT64, batch, seq);
        Value mask = b.input("attention_mask", ElementType.INT64, batch, seq);
        Value types = b.input("token_type_ids", ElementType.INT64, batch, seq);
        float uniform = (float) (STD * Math.sqrt(3.0));

        // Embeddings.
        Value wordTable = b.weight("embeddings.word_embeddings.weight", new Fill.Uniform(uniform), true, VOCAB, h);
        Value posTable = b.weight("embeddings.position_embeddings.weight", new Fill.Uniform(uniform), true,
                MAX_POSITIONS, h);
        Value typeTable = b.weight("embeddings.token_type_embeddings.weight", new Fill.Uniform(uniform), true,
                TYPE_VOCAB, h);
        Value words = b.op("Gather", "embeddings.words", ElementType.FLOAT, new long[] {batch, seq, h},
                List.of(wordTable, ids), GraphBuilder.intAttr("axis", 0));
        Value positions = b.op("Slice", "embeddings.positions", ElementType.FLOAT, new long[] {seq, h},
                List.of(posTable, b.int64s("const.pos_starts", 0), b.int64s("const.pos_ends", seq),
                        b.int64s("const.pos_axes", 0)));
        Value typeEmb = b.op("Gather", "embeddings.types", ElementType.FLOAT, new long[] {batch, seq, h},
                List.of(typeTable, types), GraphBuilder.intAttr("axis", 0));
        Value x = b.layerNorm("embeddings.LayerNorm", b.add(b.add(words, positions), typeEmb), LN_EPS);

        // Additive attention mask: 0 where attended, -10000 where masked, shaped [B,1,1,S].
        Value maskF = b.op("Cast", "mask.float", ElementType.FLOAT, new long[] {batch, seq}, List.of(mask),
                GraphBuilder.intAttr("to", ElementType.FLOAT.onnx().getNumber()));
        Value mask4 = b.op("Unsqueeze", "mask.4d", ElementType.FLOAT, new long[] {batch, 1, 1, seq},
                List.of(maskF, b.int64s("const.mask_axes", 1, 2)));
        Value one = b.floatScalar("const.one", 1f);
        Value inverted = b.op("Sub", "mask.inverted", ElementType.FLOAT, mask4.shape(), List.of(one, mask4));
        Value additive = b.op("Mul", "mask.additive", ElementType.FLOAT, mask4.shape(),
                List.of(inverted, b.floatScalar("const.mask_value", -10000f)));

        Value headsShape = b.int64s("const.heads_shape", 0, 0, c.heads(), headDim);
        Value hiddenShape = b.int64s("const.hidden_shape", 0, 0, h);
        Value scale = b.floatScalar("const.attention_scale", (float) (1.0 / Math.sqrt(headDim)));
        Value sqrt2 = b.floatScalar("const.sqrt2", (float) Math.sqrt(2.0));
        Value half = b.floatScalar("const.half", 0.5f);
        long[] split = {batch, seq, c.heads(), headDim};
        long[] heads = {batch, c.heads(), seq, headDim};
        long[] scores = {batch, c.heads(), seq, seq};

        for (int l = 0; l < c.layers(); l++) {
            String p = "encoder.layer." + l + ".";
            Value q = b.linear(p + "attention.self.query", x, h, STD);
            Value k = b.linear(p + "attention.self.key", x, h, STD);
            Value v = b.linear(p + "attention.self.value", x, h, STD);
            Value qh = b.op("Transpose", p + "q.heads", ElementType.FLOAT, heads,
                    List.of(b.op("Reshape", p + "q.split", ElementType.FLOAT, split, List.of(q, headsShape))),
                    GraphBuilder.ints("perm", 0, 2, 1, 3));
            Value kt = b.op("Transpose", p + "k.heads", ElementType.FLOAT, new long[] {batch, c.heads(), headDim, seq},
                    List.of(b.op("Reshape", p + "k.split", ElementType.FLOAT, split, List.of(k, headsShape))),
                    GraphBuilder.ints("perm", 0, 2, 3, 1));
            Value vh = b.op("Transpose", p + "v.heads", ElementType.FLOAT, heads,
                    List.of(b.op("Reshape", p + "v.split", ElementType.FLOAT, split, List.of(v, headsShape))),
                    GraphBuilder.ints("perm", 0, 2, 1, 3));
            Value s = b.op("MatMul", p + "scores", ElementType.FLOAT, scores, List.of(qh, kt));
            b.addMacs(batch * c.heads() * seq * seq * headDim);
            s = b.op("Mul", p + "scores.scaled", ElementType.FLOAT, scores, List.of(s, scale));
            s = b.op("Add", p + "scores.masked", ElementType.FLOAT, scores, List.of(s, additive));
            Value probs = b.op("Softmax", p + "probs", ElementType.FLOAT, scores, List.of(s),
                    GraphBuilder.intAttr("axis", -1));
            Value ctx = b.op("MatMul", p + "context", ElementType.FLOAT, heads, List.of(probs, vh));
            b.addMacs(batch * c.heads() * seq * seq * headDim);
            ctx = b.op("Transpose", p + "context.merged", ElementType.FLOAT, split, List.of(ctx),
                    GraphBuilder.ints("perm", 0, 2, 1, 3));
            ctx = b.op("Reshape", p + "context.flat", ElementType.FLOAT, new long[] {batch, seq, h},
                    List.of(ctx, hiddenShape));
            Value attn = b.linear(p + "attention.output.dense", ctx, h, STD);
            Value x1 = b.layerNorm(p + "attention.output.LayerNorm", b.add(attn, x), LN_EPS);

            Value inter = b.linear(p + "intermediate.dense", x1, c.intermediate(), STD);
            Value gelu = gelu(b, p, inter, sqrt2, one, half);
            Value out = b.linear(p + "output.dense", gelu, h, STD);
            x = b.layerNorm(p + "output.LayerNorm", b.add(out, x1), LN_EPS);
        }
        b.output(x, "last_hidden_state");

        Value first = b.op("Gather", "pooler.first_token", ElementType.FLOAT, new long[] {batch, h},
                List.of(x, b.int64Scalar("const.first_token", 0)), GraphBuilder.intAttr("axis", 1));
        Value pooled = b.op("Tanh", "pooler.tanh", ElementType.FLOAT, new long[] {batch, h},
                List.of(b.linear("pooler.dense", first, h, STD)));
        b.output(pooled, "pooler_output");
        return b.build(model, o);
    }

    /** GELU with the exact erf form BERT uses: 0.5·x·(1 + erf(x/√2)); ONNX Runtime fuses it into one kernel. */
    private static Value gelu(GraphBuilder b, String p, Value x, Value sqrt2, Value one, Value half) {
        Value e = b.op("Erf", p + "gelu.erf", ElementType.FLOAT, x.shape(),
                List.of(b.op("Div", p + "gelu.div", ElementType.FLOAT, x.shape(), List.of(x, sqrt2))));
        Value g = b.op("Mul", p + "gelu.mul", ElementType.FLOAT, x.shape(),
                List.of(x, b.op("Add", p + "gelu.add", ElementType.FLOAT, x.shape(), List.of(e, one))));
        return b.op("Mul", p + "gelu.out", ElementType.FLOAT, x.shape(), List.of(g, half));
    }
}
