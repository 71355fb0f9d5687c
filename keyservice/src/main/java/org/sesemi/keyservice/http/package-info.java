/**
 * The KeyService's HTTPS layer (JDK {@code HttpsServer}, virtual threads): routing, strict body parsing, rate limits,
 * metrics, and the single mapping from typed errors to HTTP status and JSON error body. No access decisions here.
 */
package org.sesemi.keyservice.http;
