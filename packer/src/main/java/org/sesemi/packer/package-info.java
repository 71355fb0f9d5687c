/**
 * FnPacker core: packing policies ({@code policy}) that route requests of many models to a small pool of function
 * instances, and a simulator ({@code sim}) that replays workloads through them.
 *
 * <h2>Cost model defaults and where they come from</h2>
 * Measured with {@code sesemi bench platform} (docs/benchmarks.md, "Platform", 2026-11-28): the real runtime serving
 * the pretrained all-MiniLM-L6-v2 through the embedded platform, simulated TEE.
 * <ul>
 *   <li><b>Container cold start 1,600 ms</b>: container process start (median 652 ms) + {@code /init} (simulated TEE
 *       start and attested KeyService connection, 833 ms) = 1,485 ms, rounded up for the platform's own share of
 *       the measured 1,655 ms round trip. The simulator adds the model load on top, so a simulated cold request
 *       (1,740 ms) is about 5% slower than measured: conservative, and it only penalises policies with more cold
 *       starts.</li>
 *   <li><b>Model switch 130 ms</b>: what a warm instance pays to load a model it does not hold (reference §3.4,
 *       "warm start, different model"). The first request in a fresh runtime took 128 ms, of which key release
 *       22 ms, model fetch 15, decrypt 16 and session creation 48 (101 ms), inference 12 ms and the rest request
 *       handling; 128 − 12 = 116 ms, rounded up to 130 ms for the per-model variation of fetch and decrypt
 *       times.</li>
  <li><b>Execution 10 ms</b>: MiniLM inference 12 ms in the runtime, warm requests 8 ms through the platform.</li>
 *   <li><b>Concurrency 1, one model per cache, pool of 5, 384 MB</b>: the prototype's FnPacker settings
 *       (reference §4.1: pool size 5, example client concurrency 1 and memory budget 384 MB; SeMIRT's cache holds one
 *       model).</li>
 *   <li><b>Keep-alive 10 minutes</b>: OpenWhisk's default idle container time-out.</li>
 * </ul>
 * GB-s are reported two ways: alive (containers' lifetime × memory, what the operator pays and what packing
 * reduces — the headline) and billed (each activation's duration × memory, as OpenWhisk providers bill users).
 */
package org.sesemi.packer;
