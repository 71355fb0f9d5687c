/**
 * The only package in SeSeMI that touches cipher primitives: typed keys ({@link org.sesemi.crypto.ModelKey},
 * {@link org.sesemi.crypto.RequestKey}, {@link org.sesemi.crypto.SealingKey}), the request/response envelope
 * ({@link org.sesemi.crypto.RequestCipher}), the streaming model envelope ({@link org.sesemi.crypto.ModelCipher})
 * and principal identities ({@link org.sesemi.crypto.PrincipalIdentity}). Byte layouts are in {@code docs/protocol.md}.
 */
package org.sesemi.crypto;
