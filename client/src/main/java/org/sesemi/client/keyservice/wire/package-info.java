/**
 * The KeyService's JSON wire records (request and response bodies of the {@code /v1} API) and the one strict
 * Jackson configuration both the server and the client use to read them. See docs/protocol.md, "KeyService API".
 */
package org.sesemi.client.keyservice.wire;
