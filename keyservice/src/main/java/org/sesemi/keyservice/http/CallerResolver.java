package org.sesemi.keyservice.http;

import java.util.Optional;
import javax.net.ssl.SSLSession;
import org.sesemi.keyservice.core.Caller;
import org.sesemi.keyservice.core.DeniedException;

/**
 * Who is calling, from the TLS session of the exchange (never from the request).
 *
 * <p>Empty when there is no TLS session or no client certificate was presented; throws {@link DeniedException} with
 * {@code attestation_rejected} when the presented evidence does not verify.
 */
@FunctionalInterface
public interface CallerResolver {
    Optional<Caller> resolve(Optional<SSLSession> session);
}
