/**
 * The invoker: a memory-bounded pool of action containers (runtime processes on loopback ports) with warm reuse per
 * action revision and invocation namespace, per-container concurrency, LRU eviction of idle containers, optional
 * prewarm, keep-alive, timeouts, and cold/warm accounting. The API hands it {@link org.sesemi.platform.invoker.Invocation}s
 * and gets {@link org.sesemi.platform.invoker.ActivationOutcome}s back.
 */
package org.sesemi.platform.invoker;
