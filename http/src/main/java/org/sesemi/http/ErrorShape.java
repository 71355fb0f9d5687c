package org.sesemi.http;

/**
 * One API's error body: renders the layer's own refusals ({@link HttpException}: no route, method not allowed, body too
 * large or malformed) and the API's exceptions as a response in that API's shape (OpenWhisk's {@code {"error","code"}}
 * for the platform, the action protocol's for the runtime, the KeyService's reasons, the gateway's own). Any exception
 * it does not know is an internal error: answer 500 without echoing the exception's text (it may quote input).
 *
 * <p>The layer adds {@code Connection: close} and drains a bounded part of an unread body itself; the shape only chooses
 * status, headers and body. If it throws, the layer answers a bare 500.
 */
@FunctionalInterface
public interface ErrorShape {
    Response render(Request request, RuntimeException error);
}
