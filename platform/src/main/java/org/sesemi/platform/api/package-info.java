/**
 * The OpenWhisk-compatible REST API ({@code /api/v1}) plus the SeSeMI billing endpoint: routing, authentication,
 * strict parsing of untrusted input, throttles, and the mapping of errors to OpenWhisk's status codes and
 * {@code {"error","code"}} bodies, done in one place ({@link org.sesemi.platform.api.PlatformApi}).
 */
package org.sesemi.platform.api;
