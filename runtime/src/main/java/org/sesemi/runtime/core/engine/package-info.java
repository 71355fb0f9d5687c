/**
 * Trusted: the inference engine. ONNX Runtime sessions created from decrypted model bytes in memory, shared by all
 * concurrent requests, and the admission control that answers "busy" instead of queueing without bound.
 */
package org.sesemi.runtime.core.engine;
