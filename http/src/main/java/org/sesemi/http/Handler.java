package org.sesemi.http;

import java.io.IOException;

/** Answers one routed request. Throw the API's own exceptions: the service's {@link ErrorShape} renders them. */
@FunctionalInterface
public interface Handler {
    Response handle(Request request) throws IOException;
}
