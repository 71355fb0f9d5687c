/**
 * Benchmarks of the crypto module: warm model-decryption throughput (JMH, {@code bench/run-jmh crypto}) against a bare
 * AES-GCM baseline, and the cold-start cost of decrypting a model as a fresh JVM's first work
 * ({@link org.sesemi.bench.crypto.ColdDecrypt}, {@code bench/cold-decrypt.sh}). Results: {@code docs/benchmarks.md}.
 */
package org.sesemi.bench.crypto;
