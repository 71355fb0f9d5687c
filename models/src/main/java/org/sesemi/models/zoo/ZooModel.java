package org.sesemi.models.zoo;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * The models the zoo generates, with the parameter counts they are checked against: the paper's rounded figure, and
 * the exact count of the reference implementation named in {@link #reference()}.
 */
public enum ZooModel {
    MOBILENET_V1("mobilenet-v1", "MobileNetV1 1.0-224 (Howard et al. 2017)", 4_200_000L, 4_231_976L,
            "Keras applications MobileNet(alpha=1.0), trainable parameters"),
    MOBILENET_V2("mobilenet-v2", "MobileNetV2 1.0-224 (Sandler et al. 2018)", 3_500_000L, 3_504_872L,
            "torchvision mobilenet_v2"),
    RESNET_50("resnet-50", "ResNet-50 v1.5 (He et al. 2016)", 25_600_000L, 25_557_032L, "torchvision resnet50"),
    RESNET_101("resnet-101", "ResNet-101 v1.5 (He et al. 2016)", 44_500_000L, 44_549_160L, "torchvision resnet101"),
    DENSENET_121("densenet-121", "DenseNet-121 (Huang et al. 2017)", 8_000_000L, 7_978_856L,
            "torchvision densenet121"),
    BERT_BASE("bert-base", "BERT-base uncased (12 layers, hidden 768, 12 heads; Devlin et al. 2019)", 110_000_000L,
            109_482_240L, "Hugging Face BertModel bert-base-uncased, with pooler"),
    BERT_MINI("bert-mini", "BERT-mini (4 layers, hidden 256, 4 heads; Turc et al. 2019)", 11_170_560L, 11_170_560L,
            "Hugging Face BertModel google/bert_uncased_L-4_H-256_A-4, with pooler");

    private final String cliName;
    private final String displayName;
    private final long publishedParameters;
    private final long referenceParameters;
    private final String reference;

    ZooModel(String cliName, String displayName, long published, long reference, String referenceName) {
        this.cliName = cliName;
        this.displayName = displayName;
        this.publishedParameters = published;
        this.referenceParameters = reference;
        this.reference = referenceName;
    }

    public String cliName() {
        return cliName;
    }

    public String displayName() {
        return displayName;
    }

    /** The rounded figure the papers quote (generated counts must be within 1% of it). */
    public long publishedParameters() {
        return publishedParameters;
    }

    /** The exact count of the reference implementation; the generated graphs match it exactly. */
    public long referenceParameters() {
        return referenceParameters;
    }

    public String reference() {
        return reference;
    }

    public boolean isTransformer() {
        return this == BERT_BASE || this == BERT_MINI;
    }

    /** Builds the architecture; cheap (no weights are drawn until the graph is written). */
    public ModelGraph build(ZooOptions options) {
        return switch (this) {
            case MOBILENET_V1 -> Cnns.mobileNetV1(this, options);
            case MOBILENET_V2 -> Cnns.mobileNetV2(this, options);
            case RESNET_50 -> Cnns.resNet(this, options, new int[] {3, 4, 6, 3});
            case RESNET_101 -> Cnns.resNet(this, options, new int[] {3, 4, 23, 3});
            case DENSENET_121 -> Cnns.denseNet121(this, options);
            case BERT_BASE -> Bert.build(this, options, new Bert.Config(12, 768, 12, 3072));
            case BERT_MINI -> Bert.build(this, options, new Bert.Config(4, 256, 4, 1024));
        };
    }

    public static Optional<ZooModel> byName(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(m -> m.cliName.equals(n)).findFirst();
    }

    public static String names() {
        return String.join(", ", Arrays.stream(values()).map(ZooModel::cliName).toList());
    }
}
