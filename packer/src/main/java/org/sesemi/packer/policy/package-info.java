/**
 * Packing policies: pure, clock-injected rules that route each model request to an instance of a function pool
 * ({@link org.sesemi.packer.policy.PaperPolicy paper}, {@link org.sesemi.packer.policy.AffinityPolicy affinity},
 * {@link org.sesemi.packer.policy.DedicatedPolicy dedicated}), behind one {@link
 * org.sesemi.packer.policy.PackingPolicy} contract shared by the gateway and the simulator.
 */
package org.sesemi.packer.policy;
