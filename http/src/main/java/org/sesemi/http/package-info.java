/**
 * The one HTTP layer of the four servers (KeyService, runtime, embedded platform, FnPacker gateway), on the JDK's
 * {@code com.sun.net.httpserver} server, which no other package touches (an ArchUnit rule in each server module says
 * so). It does routing ({@link org.sesemi.http.Router}: method + path template, path parameters, 404/405 with
 * {@code Allow}), body limits ({@link org.sesemi.http.Request#body(long)}: a declared {@code Content-Length} above the
 * limit is refused at once with 413, a chunked body is counted while read; the refused body is drained a bounded amount
 * after the answer, so a client still sending reads the 413), read/idle/response deadlines
 * ({@link org.sesemi.http.JdkServerSettings}, JVM-wide), one error shape per API ({@link org.sesemi.http.ErrorShape}),
 * an access log without secrets and a metrics hook ({@link org.sesemi.http.RequestObserver}).
 */
package org.sesemi.http;
