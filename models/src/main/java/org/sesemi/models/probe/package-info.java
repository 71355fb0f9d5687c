/**
 * A plain ONNX Runtime latency probe (no encryption, no runtime): the baseline numbers for generated and real models
 * that {@code sesemi models bench} prints and docs/benchmarks.md records.
 */
package org.sesemi.models.probe;
