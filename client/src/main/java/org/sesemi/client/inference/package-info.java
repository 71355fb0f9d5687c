/**
 * The user's side of encrypted inference, and the Open Inference Protocol (KServe V2) codec shared with the runtime's
 * trusted core: JSON tensors plus the binary-tensor extension, the plaintext that travels sealed inside request and
 * response envelopes. {@link org.sesemi.client.inference.InferenceClient} builds a request, seals it with the user's
 * request key, posts the envelope and opens the answer.
 */
package org.sesemi.client.inference;
