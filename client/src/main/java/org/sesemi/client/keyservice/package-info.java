/**
 * The attested KeyService client: verifies the KeyService's RA-TLS evidence in the TLS handshake, before any request
 * byte is sent, then speaks the {@code /v1} JSON API for principals (owners, users) and attested runtimes.
 */
package org.sesemi.client.keyservice;
