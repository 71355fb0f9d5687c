/**
 * Workloads for the packer simulator and the benchmarks: a reader for the Azure Functions 2019 trace format, a
 * mapping from trace functions to models, and arrival-time generators (trace-driven Poisson arrivals per minute
 * with time compression, synthetic Zipf popularity, bursty on/off), all deterministic from a seed.
 */
package org.sesemi.models.workload;
