package org.sesemi.models.zoo;

import org.sesemi.models.zoo.GraphBuilder.Value;

/**
 * The ImageNet CNNs (224×224×3 in, 1000 logits out), layer for layer as in the reference implementations named in
 * {@link ZooModel}, with their initializer names. Input {@code input} float [B,3,224,224]; output {@code logits}
 * float [B,1000] (no softmax, like the references).
 */
final class Cnns {
    static final int IMAGE = 224;
    static final int CLASSES = 1000;
    /**
     * Scale of the last BatchNorm of each residual branch. Trained networks learn small values there; with
     * freshly drawn weights a scale below 1 keeps the residual sum from doubling its variance at every block
     * (ResNet-101 would otherwise end near 1e5).
     */
    static final float RESIDUAL_GAMMA = 0.5f;

    private Cnns() {}

    private static GraphBuilder start(ZooModel model, ZooOptions o, Value[] input) {
        GraphBuilder b = new GraphBuilder(model.cliName());
        input[0] = b.input("input", ElementType.FLOAT, o.batch(), 3, IMAGE, IMAGE);
        return b;
    }

    private static Value convBn(GraphBuilder b, String conv, String bn, Value x, int out, int k, int s, int group,
            float gamma) {
        return b.batchNorm(bn, b.conv(conv, x, out, k, s, k / 2, group, false), gamma);
    }

    /** Keras MobileNet(alpha=1.0): 3×3 stem, 13 depthwise-separable blocks, ReLU6 after every BatchNorm. */
    static ModelGraph mobileNetV1(ZooModel model, ZooOptions o) {
        Value[] in = new Value[1];
        GraphBuilder b = start(model, o, in);
        Value x = b.relu6(convBn(b, "conv1", "conv1_bn", in[0], 32, 3, 2, 1, 1f));
        int[][] blocks = {{64, 1}, {128, 2}, {128, 1}, {256, 2}, {256, 1}, {512, 2}, {512, 1}, {512, 1}, {512, 1},
            {512, 1}, {512, 1}, {1024, 2}, {1024, 1}};
        for (int i = 0; i < blocks.length; i++) {
            int id = i + 1;
            int channels = (int) x.dim(1);
            x = b.relu6(convBn(b, "conv_dw_" + id, "conv_dw_" + id + "_bn", x, channels, 3, blocks[i][1], channels, 1f));
            x = b.relu6(convBn(b, "conv_pw_" + id, "conv_pw_" + id + "_bn", x, blocks[i][0], 1, 1, 1, 1f));
        }
        x = b.flatten(b.globalAvgPool(x));
        b.output(b.gemm("conv_preds", x, CLASSES), "logits");
        return b.build(model, o);
    }

    /** torchvision mobilenet_v2: inverted residuals with linear bottlenecks, 1280-wide last conv. */
    static ModelGraph mobileNetV2(ZooModel model, ZooOptions o) {
        Value[] in = new Value[1];
        GraphBuilder b = start(model, o, in);
        Value x = b.relu6(convBn(b, "features.0.0", "features.0.1", in[0], 32, 3, 2, 1, 1f));
        int[][] settings = {{1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2}, {6, 96, 3, 1}, {6, 160, 3, 2},
            {6, 320, 1, 1}};
        int feature = 1;
        for (int[] s : settings) {
            int t = s[0];
            int out = s[1];
            for (int i = 0; i < s[2]; i++) {
                int stride = i == 0 ? s[3] : 1;
                int inC = (int) x.dim(1);
                int hidden = inC * t;
                boolean residual = stride == 1 && inC == out;
                String p = "features." + feature++ + ".conv.";
                Value y = x;
                int layer = 0;
                if (t != 1) {
                    y = b.relu6(convBn(b, p + layer + ".0", p + layer + ".1", y, hidden, 1, 1, 1, 1f));
                    layer++;
                }
                y = b.relu6(convBn(b, p + layer + ".0", p + layer + ".1", y, hidden, 3, stride, hidden, 1f));
                layer++;
                y = b.batchNorm(p + (layer + 1), b.conv(p + layer, y, out, 1, 1, 0, 1, false),
                        residual ? RESIDUAL_GAMMA : 1f);
                x = residual ? b.add(x, y) : y;
            }
        }
        x = b.relu6(convBn(b, "features.18.0", "features.18.1", x, 1280, 1, 1, 1, 1f));
        x = b.flatten(b.globalAvgPool(x));
        b.output(b.gemm("classifier.1", x, CLASSES), "logits");
        return b.build(model, o);
    }

    /** torchvision resnet50/resnet101 (v1.5: the stride sits on the 3×3 convolution of each bottleneck). */
    static ModelGraph resNet(ZooModel model, ZooOptions o, int[] layers) {
        Value[] in = new Value[1];
        GraphBuilder b = start(model, o, in);
        Value x = b.relu(b.batchNorm("bn1", b.conv("conv1", in[0], 64, 7, 2, 3, 1, false), 1f));
        x = b.maxPool(x, 3, 2, 1);
        int[] widths = {64, 128, 256, 512};
        for (int l = 0; l < layers.length; l++) {
            for (int i = 0; i < layers[l]; i++) {
                int stride = i == 0 && l > 0 ? 2 : 1;
                int width = widths[l];
                int out = width * 4;
                String p = "layer" + (l + 1) + "." + i + ".";
                Value y = b.relu(convBn(b, p + "conv1", p + "bn1", x, width, 1, 1, 1, 1f));
                y = b.relu(convBn(b, p + "conv2", p + "bn2", y, width, 3, stride, 1, 1f));
                y = convBn(b, p + "conv3", p + "bn3", y, out, 1, 1, 1, RESIDUAL_GAMMA);
                Value shortcut = x;
                if (stride != 1 || x.dim(1) != out) {
                    shortcut = convBn(b, p + "downsample.0", p + "downsample.1", x, out, 1, stride, 1, 1f);
                }
                x = b.relu(b.add(y, shortcut));
            }
        }
        x = b.flatten(b.globalAvgPool(x));
        b.output(b.gemm("fc", x, CLASSES), "logits");
        return b.build(model, o);
    }

    /** torchvision densenet121: growth 32, bottleneck 4×, blocks of 6/12/24/16 layers, compression 0.5. */
    static ModelGraph denseNet121(ZooModel model, ZooOptions o) {
        Value[] in = new Value[1];
        GraphBuilder b = start(model, o, in);
        Value x = b.relu(b.batchNorm("features.norm0", b.conv("features.conv0", in[0], 64, 7, 2, 3, 1, false), 1f));
        x = b.maxPool(x, 3, 2, 1);
        int growth = 32;
        int[] blocks = {6, 12, 24, 16};
        for (int blk = 0; blk < blocks.length; blk++) {
            for (int l = 0; l < blocks[blk]; l++) {
                String p = "features.denseblock" + (blk + 1) + ".denselayer" + (l + 1) + ".";
                Value y = b.relu(b.batchNorm(p + "norm1", x, 1f));
                y = b.conv(p + "conv1", y, 4 * growth, 1, 1, 0, 1, false);
                y = b.relu(b.batchNorm(p + "norm2", y, 1f));
                y = b.conv(p + "conv2", y, growth, 3, 1, 1, 1, false);
                // Running concatenation: the same tensor torchvision builds by concatenating all earlier features.
                x = b.concatChannels(x, y);
            }
            if (blk < blocks.length - 1) {
                String p = "features.transition" + (blk + 1) + ".";
                Value y = b.relu(b.batchNorm(p + "norm", x, 1f));
                y = b.conv(p + "conv", y, (int) (x.dim(1) / 2), 1, 1, 0, 1, false);
                x = b.avgPool(y, 2, 2, 0);
            }
        }
        x = b.relu(b.batchNorm("features.norm5", x, 1f));
        x = b.flatten(b.globalAvgPool(x));
        b.output(b.gemm("classifier", x, CLASSES), "logits");
        return b.build(model, o);
    }
}
