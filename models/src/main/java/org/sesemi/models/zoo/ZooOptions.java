package org.sesemi.models.zoo;

/**
 * How to generate a zoo model.
 *
 * @param seed weights are a pure function of (model, seed, batch, seq-len)
 * @param batch the static batch dimension of the inputs (1..1024)
 * @param seqLen the static sequence length for the BERT models (1..512, BERT's position table); ignored by CNNs
 */
public record ZooOptions(long seed, int batch, int seqLen) {
    public static final long DEFAULT_SEED = 1;
    public static final int DEFAULT_BATCH = 1;
    public static final int DEFAULT_SEQ_LEN = 128;
    public static final int MAX_BATCH = 1024;
    public static final int MAX_SEQ_LEN = 512;

    public ZooOptions {
        if (batch < 1 || batch > MAX_BATCH) {
            throw new IllegalArgumentException("batch must be in 1.." + MAX_BATCH + ", got " + batch);
        }
        if (seqLen < 1 || seqLen > MAX_SEQ_LEN) {
            throw new IllegalArgumentException("seq-len must be in 1.." + MAX_SEQ_LEN + " (BERT's position table), got "
                    + seqLen);
        }
    }

    public static ZooOptions defaults() {
        return new ZooOptions(DEFAULT_SEED, DEFAULT_BATCH, DEFAULT_SEQ_LEN);
    }

    public ZooOptions withSeed(long s) {
        return new ZooOptions(s, batch, seqLen);
    }
}
