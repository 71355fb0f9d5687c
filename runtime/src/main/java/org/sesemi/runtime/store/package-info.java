/**
 * Untrusted: where encrypted models live (a directory, or S3-compatible object storage). Only ciphertext passes
 * through here; integrity is checked by the trusted core when it decrypts.
 */
package org.sesemi.runtime.store;
