package org.sesemi.client.keyservice;

import org.sesemi.crypto.PrincipalId;

/** Result of registering: the id the KeyService derived from our certificate key, and whether it was new. */
public record Registration(PrincipalId principal, boolean created) {}
