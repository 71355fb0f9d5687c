/**
 * Trusted: where the runtime's keys come from ({@link org.sesemi.runtime.core.keys.KeySource}, in production the
 * attested KeyService connection) and the bounded, single-flight, TTL-respecting key cache.
 */
package org.sesemi.runtime.core.keys;
