package org.sesemi.platform.api;

import org.sesemi.http.Request;

/**
 * One API call's own state, attached to the request before routing: its transaction id ({@code X-Request-ID}), when it
 * arrived on the API's clock, and its parsed query.
 */
record Call(String tx, long receivedAt, QueryParams query) {
    static Call of(Request r) {
        return r.attachment(Call.class);
    }
}
