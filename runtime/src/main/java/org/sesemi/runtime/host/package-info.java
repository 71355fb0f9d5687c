/**
 * Untrusted host side of SeMIRT: HTTP servers on the HTTP layer ({@code org.sesemi.http}) speaking the OpenWhisk action
 * protocol ({@code /init}, {@code /run}) and Knative's single entrypoint. They only move envelopes and outcome codes in and out of
 * {@link org.sesemi.runtime.core.EnclaveRuntime}; an architecture test keeps them away from keys, caches, the engine
 * and plaintext.
 */
package org.sesemi.runtime.host;
