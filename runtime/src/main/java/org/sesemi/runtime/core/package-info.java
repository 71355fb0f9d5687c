/**
 * Trusted core of SeMIRT ("the enclave"): {@link org.sesemi.runtime.core.EnclaveRuntime} takes an encrypted request
 * envelope and returns an encrypted response envelope (or a non-secret rejection). Keys, decrypted models, inputs and
 * outputs never leave this package tree; host adapters see only envelopes and outcome codes.
 */
package org.sesemi.runtime.core;
