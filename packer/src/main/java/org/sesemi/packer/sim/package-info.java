/**
 * The trace-driven simulator: {@link org.sesemi.packer.sim.Simulator} replays a workload through a packing policy
 * against a calibrated {@link org.sesemi.packer.sim.CostModel}; {@link org.sesemi.packer.sim.PackingExperiment}
 * compares all policies on one workload and writes the report.
 */
package org.sesemi.packer.sim;
