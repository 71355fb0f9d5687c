package org.sesemi.bench.attestation;

import java.util.Arrays;
import org.sesemi.attestation.tee.ClassPathDigest;
import org.slf4j.LoggerFactory;

/**
 * The simulated TEE's code measurement with and without the build's class-path manifest, interleaved in one process
 * (issue 13; docs/benchmarks.md). Not JMH: what matters is one computation per start, over the files of a real
 * build.
 *
 * <p>{@code java -cp cli/target/sesemi.jar:bench/target/classes org.sesemi.bench.attestation.ClassPathDigestTiming
 * cli/target/sesemi.jar 7}
 */
public final class ClassPathDigestTiming {
    private ClassPathDigestTiming() {}

    public static void main(String[] args) {
        if (args.length != 2) {
            throw new IllegalArgumentException("usage: ClassPathDigestTiming <class path, e.g. cli/target/sesemi.jar> <rounds>");
        }
        String cp = args[0];
        int n = Integer.parseInt(args[1]);
        long[] with = new long[n];
        long[] without = new long[n];
        boolean same = true;
        // Logging starts once per JVM whatever the measurement does (SLF4J looks for providers on the class path).
        LoggerFactory.getLogger(ClassPathDigestTiming.class).debug("timing {}", cp);
        for (int i = 0; i < n; i++) {
            // Alternate which goes first, so neither always finds the other's file reads in the page cache.
            boolean withFirst = i % 2 == 0;
            byte[] a = null;
            byte[] b;
            if (withFirst) {
                long t0 = System.nanoTime();
                a = ClassPathDigest.compute(cp);
                with[i] = System.nanoTime() - t0;
            }
            long t1 = System.nanoTime();
            b = ClassPathDigest.computeWithoutManifest(cp);
            without[i] = System.nanoTime() - t1;
            if (!withFirst) {
                long t0 = System.nanoTime();
                a = ClassPathDigest.compute(cp);
                with[i] = System.nanoTime() - t0;
            }
            same &= Arrays.equals(a, b);
        }
        long first = with[0];
        Arrays.sort(with);
        Arrays.sort(without);
        System.out.printf("same digest: %s; with manifest: first %.1f ms, median %.1f ms; hashing every file: median %.1f ms; "
                + "ratio %.3f%n", same, first / 1e6, with[n / 2] / 1e6, without[n / 2] / 1e6, (double) with[n / 2] / without[n / 2]);
    }
}
