package org.sesemi.crypto;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.function.LongConsumer;

/**
 * The streaming model envelope: a {@link ModelEnvelopeHeader} followed by AES-256-GCM segments (the STREAM
 * construction). Segment {@code i} uses nonce {@code baseNonce XOR u32be(i)} in its last four bytes and AAD
 * {@code headerTag ‖ u32be(i) ‖ u8(last)}. Byte layout: {@code docs/protocol.md}.
 *
 * <p>Decryption writes into one in-memory buffer and never returns partial plaintext: on any failure the buffer is
 * wiped and a {@link CryptoException} names what went wrong (truncation, trailing data, reordered, duplicated or
 * corrupted segment, header tampering, wrong key, model-id mismatch). Stateless and thread-safe.
 *
 * <p>Speed: which AES-GCM implementation runs (the JDK's or the native one) and how many threads decrypt an
 * in-memory ciphertext is chosen by {@link DecryptOptions}; neither changes bytes or errors. A runtime should call
 * {@link CryptoProvider#preferNative()} first thing at start-up so that loading the native provider overlaps its
 * other start-up work.
 */
public final class ModelCipher {
    /** Default plaintext bytes per segment. */
    public static final int DEFAULT_SEGMENT_SIZE = 256 << 10;
    /** How many other positions a failing segment is compared against to tell reordering from corruption. */
    private static final int DIAGNOSIS_PROBES = 4096;

    /** Where decrypted bytes go. */
    public enum BufferKind { HEAP, DIRECT }

    /**
     * How to decrypt: which AES-GCM provider, and how many threads decrypt segments of an in-memory ciphertext.
     * Neither changes the result or the errors, only the speed.
     *
     * @param provider {@link CryptoProvider#jdk()} or {@link CryptoProvider#preferNative()}
     * @param threads segments decrypted concurrently by {@link #decrypt(ByteBuffer, ModelId, ModelKey, BufferKind,
     *     DecryptOptions)} (1..64); the stream overloads read sequentially and use one
     */
    public record DecryptOptions(CryptoProvider provider, int threads) {
        public DecryptOptions {
            java.util.Objects.requireNonNull(provider, "provider");
            if (threads < 1 || threads > 64) {
                throw new IllegalArgumentException("threads must be 1..64, got " + threads);
            }
        }

        /**
         * What the overloads without options use: {@link CryptoProvider#preferNative()} (so the first call starts
         * loading the native provider and decrypts with the JDK's until it is ready) on one thread. Chosen by
         * measurement, see {@code docs/benchmarks.md}, "Crypto: model decryption".
         */
        public static DecryptOptions defaults() {
            return new DecryptOptions(CryptoProvider.preferNative(), 1);
        }
    }

    private ModelCipher() {}

    /**
     * Encrypts exactly {@code plaintextLength} bytes from {@code in} to {@code out}.
     *
     * @param progress called with the number of plaintext bytes done so far (may be a no-op)
     * @throws IOException if {@code in} holds fewer or more bytes than declared, or on I/O failure
     */
    public static ModelEnvelopeHeader encrypt(InputStream in, long plaintextLength, OutputStream out, ModelId modelId,
            ModelKey key, int segmentSize, LongConsumer progress) throws IOException {
        return encrypt(in, plaintextLength, out, modelId, key, segmentSize, progress, RequestCipher.randomNonce());
    }

    /** Visible for known-answer tests only: encryption with a caller-chosen base nonce. */
    static ModelEnvelopeHeader encrypt(InputStream in, long plaintextLength, OutputStream out, ModelId modelId,
            ModelKey key, int segmentSize, LongConsumer progress, byte[] baseNonce) throws IOException {
        ModelEnvelopeHeader h = ModelEnvelopeHeader.create(modelId, key, segmentSize, plaintextLength, baseNonce);
        out.write(h.encode());
        long n = h.segmentCount();
        byte[] pt = new byte[segmentSize];
        ByteBuffer ct = ByteBuffer.allocate(segmentSize + AesGcm.TAG_BYTES);
        long done = 0;
        for (long i = 0; i < n; i++) {
            int len = h.plaintextSizeOf(i);
            if (in.readNBytes(pt, 0, len) != len) {
                throw new IOException("input ended after " + (done) + " of " + plaintextLength + " declared bytes");
            }
            ct.clear();
            AesGcm.encryptInto(key.bytes().aesKey(), nonce(h, i), aad(h, i, i == n - 1), ByteBuffer.wrap(pt, 0, len), ct);
            out.write(ct.array(), 0, ct.position());
            done += len;
            progress.accept(done);
        }
        java.util.Arrays.fill(pt, (byte) 0);
        if (in.read() != -1) {
            throw new IOException("input is longer than the declared " + plaintextLength + " bytes");
        }
        return h;
    }

    /** Decrypts a whole encrypted model from a stream into one in-memory buffer. */
    public static DecryptedModel decrypt(InputStream in, ModelId expected, ModelKey key, BufferKind kind) throws IOException {
        return decrypt(in, expected, key, kind, done -> {});
    }

    /**
     * Decrypts a whole encrypted model from a stream into one in-memory buffer.
     *
     * @param expected the model id the caller asked for; a file for any other model is rejected
     * @param progress called with plaintext bytes decrypted so far
     * @throws CryptoException with the reason for any integrity or format failure; nothing decrypted is returned
     */
    public static DecryptedModel decrypt(InputStream in, ModelId expected, ModelKey key, BufferKind kind, LongConsumer progress)
            throws IOException {
        return decrypt(in, expected, key, kind, DecryptOptions.defaults(), progress);
    }

    /**
     * As {@link #decrypt(InputStream, ModelId, ModelKey, BufferKind, LongConsumer)}, with the AES-GCM provider from
     * {@code options} (segments are read and decrypted one after another).
     */
    public static DecryptedModel decrypt(InputStream in, ModelId expected, ModelKey key, BufferKind kind, DecryptOptions options,
            LongConsumer progress) throws IOException {
        ModelEnvelopeHeader h = ModelEnvelopeHeader.read(in);
        checkHeader(h, expected, key);
        ByteBuffer outBuf = allocate(h, kind);
        CryptoProvider provider = options.provider();
        try {
            long n = h.segmentCount();
            byte[] chunk = new byte[h.segmentSize() + AesGcm.TAG_BYTES];
            for (long i = 0; i < n; i++) {
                int ptLen = h.plaintextSizeOf(i);
                int ctLen = ptLen + AesGcm.TAG_BYTES;
                int got = in.readNBytes(chunk, 0, ctLen);
                if (got != ctLen) {
                    throw new CryptoException(CryptoException.Reason.TRUNCATED,
                            "the encrypted model is truncated: it ends inside segment " + i + " of " + n);
                }
                ByteBuffer target = outBuf.slice((int) (i * h.segmentSize()), ptLen);
                if (!AesGcm.decryptInto(provider, key.bytes().aesKey(), nonce(h, i), aad(h, i, i == n - 1), ByteBuffer.wrap(chunk, 0, ctLen), target)) {
                    throw diagnose(h, key, i, chunk, ctLen);
                }
                progress.accept(i * h.segmentSize() + ptLen);
            }
            if (in.read() != -1) {
                throw new CryptoException(CryptoException.Reason.TRAILING_DATA, "bytes follow the last segment of the encrypted model");
            }
            return new DecryptedModel(h, outBuf);
        } catch (RuntimeException | IOException | Error e) {
            wipe(outBuf);
            throw e;
        }
    }

    /**
     * Decrypts a whole encrypted model held in memory (e.g. a mapped file or a downloaded object), decrypting up to
     * {@code options.threads()} segments at a time. Results and errors are exactly those of the stream overloads on
     * the same bytes: when several segments are bad, the error names the first one, as a sequential reader would.
     * {@code ciphertext} is read from its position to its limit and not modified (its position does not move).
     *
     * @throws CryptoException with the reason for any integrity or format failure; nothing decrypted is returned
     */
    public static DecryptedModel decrypt(ByteBuffer ciphertext, ModelId expected, ModelKey key, BufferKind kind,
            DecryptOptions options) {
        ByteBuffer ct = ciphertext.duplicate();
        ModelEnvelopeHeader h;
        try {
            h = ModelEnvelopeHeader.read(new ByteBufferInput(ct.duplicate()));
        } catch (IOException e) {
            throw new IllegalStateException("reading a ByteBuffer cannot fail", e);
        }
        checkHeader(h, expected, key);
        ByteBuffer outBuf = allocate(h, kind);
        try {
            long n = h.segmentCount();
            long start = ct.position() + (long) h.headerLength();
            long stride = (long) h.segmentSize() + AesGcm.TAG_BYTES;
            // The first segment that is not wholly present; n when all are.
            long firstMissing = Math.min(n, Math.max(0, (ct.limit() - start) / stride));
            if (firstMissing == n - 1 && ct.limit() - start - (n - 1) * stride >= h.plaintextSizeOf(n - 1) + AesGcm.TAG_BYTES) {
                firstMissing = n;
            }
            long firstBad = new SegmentWorkers(h, key, options.provider(), ct, start, stride, outBuf)
                    .run(firstMissing, options.threads());
            if (firstBad < firstMissing) {
                int ctLen = h.plaintextSizeOf(firstBad) + AesGcm.TAG_BYTES;
                byte[] chunk = new byte[ctLen];
                ct.get((int) (start + firstBad * stride), chunk);
                throw diagnose(h, key, firstBad, chunk, ctLen);
            }
            if (firstMissing < n) {
                throw new CryptoException(CryptoException.Reason.TRUNCATED,
                        "the encrypted model is truncated: it ends inside segment " + firstMissing + " of " + n);
            }
            if (ct.limit() - start > h.ciphertextLength() - h.headerLength()) {
                throw new CryptoException(CryptoException.Reason.TRAILING_DATA, "bytes follow the last segment of the encrypted model");
            }
            return new DecryptedModel(h, outBuf);
        } catch (RuntimeException | Error e) {
            wipe(outBuf);
            throw e;
        }
    }

    /**
     * Decrypts segments {@code 0..present-1} on up to {@code threads} threads, each taking the next index from a
     * shared counter; stops handing out indices past the first failure. Returns the lowest failing index, or
     * {@code present} when none failed.
     */
    private record SegmentWorkers(ModelEnvelopeHeader h, ModelKey key, CryptoProvider provider, ByteBuffer ct, long start,
            long stride, ByteBuffer out) {
        long run(long present, int threads) {
            java.util.concurrent.atomic.AtomicLong next = new java.util.concurrent.atomic.AtomicLong();
            java.util.concurrent.atomic.AtomicLong firstBad = new java.util.concurrent.atomic.AtomicLong(present);
            java.util.concurrent.atomic.AtomicReference<Throwable> crash = new java.util.concurrent.atomic.AtomicReference<>();
            Runnable work = () -> {
                try {
                    for (long i = next.getAndIncrement(); i < present && i < firstBad.get(); i = next.getAndIncrement()) {
                        if (!decryptOne(i)) {
                            firstBad.accumulateAndGet(i, Math::min);
                        }
                    }
                } catch (RuntimeException | Error e) {
                    crash.compareAndSet(null, e);
                    firstBad.set(-1);
                }
            };
            int helpers = (int) Math.min(threads - 1, Math.max(0, present - 1));
            Thread[] pool = new Thread[helpers];
            for (int t = 0; t < helpers; t++) {
                pool[t] = Thread.ofPlatform().daemon().name("sesemi-model-decrypt-" + t).start(work);
            }
            work.run();
            boolean interrupted = false;
            for (Thread t : pool) {
                while (true) {
                    try {
                        t.join();
                        break;
                    } catch (InterruptedException e) {
                        interrupted = true; // finish joining: the helpers write into the buffer we may wipe
                    }
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            Throwable c = crash.get();
            if (c instanceof RuntimeException r) {
                throw r;
            } else if (c instanceof Error err) {
                throw err;
            }
            return firstBad.get();
        }

        private boolean decryptOne(long i) {
            long n = h.segmentCount();
            int ptLen = h.plaintextSizeOf(i);
            int off = (int) (start + i * stride);
            ByteBuffer in = ct.slice(off, ptLen + AesGcm.TAG_BYTES);
            ByteBuffer target = out.slice((int) (i * h.segmentSize()), ptLen);
            return AesGcm.decryptInto(provider, key.bytes().aesKey(), nonce(h, i), aad(h, i, i == n - 1), in, target);
        }
    }

    /** Reads a ByteBuffer as a stream, for the header parser. */
    private static final class ByteBufferInput extends InputStream {
        private final ByteBuffer b;

        ByteBufferInput(ByteBuffer b) {
            this.b = b;
        }

        @Override
        public int read() {
            return b.hasRemaining() ? b.get() & 0xff : -1;
        }

        @Override
        public int read(byte[] dst, int off, int len) {
            if (len == 0) {
                return 0;
            }
            if (!b.hasRemaining()) {
                return -1;
            }
            int k = Math.min(len, b.remaining());
            b.get(dst, off, k);
            return k;
        }
    }

    private static void checkHeader(ModelEnvelopeHeader h, ModelId expected, ModelKey key) {
        h.authenticate(key);
        if (!h.modelId().equals(expected)) {
            throw new CryptoException(CryptoException.Reason.MODEL_ID_MISMATCH,
                    "the encrypted model is for " + h.modelId() + ", expected " + expected);
        }
        if (h.keyVersion() != key.version()) {
            throw new CryptoException(CryptoException.Reason.WRONG_KEY,
                    "the model was encrypted under key version " + h.keyVersion() + ", the key given is version " + key.version());
        }
    }

    private static ByteBuffer allocate(ModelEnvelopeHeader h, BufferKind kind) {
        int size = (int) h.plaintextLength();
        return kind == BufferKind.DIRECT ? ByteBuffer.allocateDirect(size) : ByteBuffer.allocate(size);
    }

    /** Finds out why segment {@code i} failed: another position's segment (reordered/duplicated) or corruption. */
    private static CryptoException diagnose(ModelEnvelopeHeader h, ModelKey key, long i, byte[] chunk, int ctLen) {
        long n = h.segmentCount();
        long probes = 0;
        for (long j = 0; j < n && probes < DIAGNOSIS_PROBES; j++) {
            if (j == i || h.plaintextSizeOf(j) + AesGcm.TAG_BYTES != ctLen) {
                continue;
            }
            probes++;
            ByteBuffer scratch = ByteBuffer.allocate(ctLen);
            if (AesGcm.decryptInto(key.bytes().aesKey(), nonce(h, j), aad(h, j, j == n - 1), ByteBuffer.wrap(chunk, 0, ctLen), scratch)) {
                wipe(scratch);
                return j < i
                        ? new CryptoException(CryptoException.Reason.SEGMENT_DUPLICATED,
                                "segment " + j + " of the encrypted model appears again at position " + i)
                        : new CryptoException(CryptoException.Reason.SEGMENT_REORDERED,
                                "segment " + j + " of the encrypted model appears at position " + i + " (segments reordered)");
            }
        }
        return new CryptoException(CryptoException.Reason.SEGMENT_CORRUPTED,
                "segment " + i + " of the encrypted model failed authentication (modified ciphertext)");
    }

    static byte[] nonce(ModelEnvelopeHeader h, long index) {
        byte[] n = h.baseNonce().clone();
        int idx = (int) index;
        n[8] ^= (byte) (idx >>> 24);
        n[9] ^= (byte) (idx >>> 16);
        n[10] ^= (byte) (idx >>> 8);
        n[11] ^= (byte) idx;
        return n;
    }

    static byte[] aad(ModelEnvelopeHeader h, long index, boolean last) {
        ByteBuffer b = ByteBuffer.allocate(ModelEnvelopeHeader.HEADER_TAG_BYTES + 5);
        b.put(h.headerTag()).putInt((int) index).put((byte) (last ? 1 : 0));
        return b.array();
    }

    static void wipe(ByteBuffer b) {
        ByteBuffer d = b.duplicate().clear();
        byte[] zeros = new byte[Math.min(8192, Math.max(1, d.capacity()))];
        while (d.hasRemaining()) {
            d.put(zeros, 0, Math.min(zeros.length, d.remaining()));
        }
    }
}
