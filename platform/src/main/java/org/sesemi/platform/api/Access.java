package org.sesemi.platform.api;

import org.sesemi.http.Request;

/** Authentication of a call and authorisation of the namespace in its path ({@code _} = the caller's own). */
final class Access {
    private final Authenticator auth;

    Access(Authenticator auth) {
        this.auth = auth;
    }

    Authenticator.Caller authenticate(Request r) {
        return auth.authenticate(r.header("Authorization"));
    }

    /** Authenticates and resolves {@code ns} to the caller's namespace, else 403. */
    String authorize(Request r, String ns) {
        return callerFor(r, ns).subject().namespace();
    }

    Authenticator.Caller callerFor(Request r, String ns) {
        Authenticator.Caller c = authenticate(r);
        if (!ns.equals("_") && !ns.equals(c.subject().namespace())) {
            throw new ApiException(403, Messages.NOT_AUTHORIZED);
        }
        return c;
    }

    static String entityName(String s) {
        if (!ActionDocuments.validName(s)) {
            throw new ApiException(400, Messages.ILLEGAL_NAME);
        }
        return s;
    }
}
