/**
 * The KeyService: attested key custody and access control. {@link org.sesemi.keyservice.KeyServiceServer} wires the
 * TEE provider, the sealed SQLite store, the domain core and the HTTPS (RA-TLS) API from one
 * {@link org.sesemi.keyservice.KeyServiceConfig}.
 */
package org.sesemi.keyservice;
