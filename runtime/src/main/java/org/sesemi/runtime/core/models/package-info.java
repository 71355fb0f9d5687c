/**
 * Trusted: the model cache — decrypted models as engine sessions, bounded by an enclave memory budget in bytes, LRU,
 * single-flight loading, reference-counted so a session is never closed while a request uses it.
 */
package org.sesemi.runtime.core.models;
