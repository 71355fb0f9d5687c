/**
 * FnPacker's gateway: owns a pool of functions on an OpenWhisk-compatible platform and routes each encrypted request
 * envelope to one of them with a {@link org.sesemi.packer.policy.PackingPolicy}, knowing only the envelope's model id.
 * Part of the untrusted host: it never sees a key or a plaintext.
 */
package org.sesemi.packer.gateway;
