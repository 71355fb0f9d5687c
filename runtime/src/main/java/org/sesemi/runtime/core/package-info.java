/**
 * Trusted core of SeMIRT ("the enclave"): {@link org.sesemi.runtime.core.EnclaveRuntime} takes an encrypted request
 * envelope and returns an encrypted response envelope (or a non-secret rejection). Keys, decrypted models, inputs and
 * outputs never leave this package tree; host adapters see only envelopes and outcome codes. The parts below
 * ({@code keys}, {@code models}, {@code engine}) refuse a request with {@link org.sesemi.runtime.core.RefusedException}:
 * the action protocol's {@link org.sesemi.runtime.core.ErrorCode} and reason, the only thing of this package they use.
 */
package org.sesemi.runtime.core;
