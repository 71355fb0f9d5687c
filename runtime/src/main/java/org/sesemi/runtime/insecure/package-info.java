/**
 * INSECURE: a plaintext baseline of the runtime's job (plaintext model from the model store, ONNX Runtime session,
 * inference), with no TEE, no KeyService and no encryption, against which {@code sesemi bench platform} compares the
 * secure runtime's cold start. Never used by default; nothing secure depends on it.
 */
package org.sesemi.runtime.insecure;
