/**
 * The KeyService domain: who the caller is ({@link org.sesemi.keyservice.core.Caller}), the access rules as pure
 * functions ({@link org.sesemi.keyservice.core.AccessPolicy}), and the operations that apply them to the store and
 * write the audit log ({@link org.sesemi.keyservice.core.KeyServiceCore}). No HTTP here.
 */
package org.sesemi.keyservice.core;
