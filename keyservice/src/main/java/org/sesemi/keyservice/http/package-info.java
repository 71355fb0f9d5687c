/**
 * The KeyService's API on the HTTP layer ({@code org.sesemi.http}, HTTPS on the JDK server, virtual threads): routes,
 * strict body parsing, rate limits, metrics, and the single mapping from typed errors to HTTP status and JSON error
 * body. No access decisions here.
 */
package org.sesemi.keyservice.http;
