#!/usr/bin/env python3
"""Independent (non-Java) implementation of the SeSeMI wire formats from docs/protocol.md, used to produce the
known-answer vectors in docs/vectors/vectors.json. Needs the `cryptography` package. Run:
    python3 docs/vectors/generate_vectors.py > docs/vectors/vectors.json
"""
import hashlib, hmac, json, struct, base64
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

def lp(b):  # u16 big-endian length prefix
    return struct.pack(">H", len(b)) + b

def request_aad(direction, model, user, request_id):
    label = b"sesemi-request-v1" if direction == "request" else b"sesemi-response-v1"
    return label + lp(model.encode()) + lp(user.encode()) + lp(request_id.encode())

def seal_envelope(key, nonce, direction, model, user, request_id, plaintext):
    payload = nonce + AESGCM(key).encrypt(nonce, plaintext, request_aad(direction, model, user, request_id))
    return {"model": model, "user": user, "requestId": request_id, "payload": base64.b64encode(payload).decode()}

def model_envelope(key, key_version, model_id, segment_size, base_nonce, plaintext):
    mid = model_id.encode()
    key_check = hmac.new(key, b"sesemi-model-keycheck-v1", hashlib.sha256).digest()[:16]
    prefix = (b"SSMM" + bytes([1, 0]) + struct.pack(">H", len(mid)) + mid
              + struct.pack(">IIQ", key_version, segment_size, len(plaintext)) + base_nonce + key_check)
    tag = hmac.new(key, b"sesemi-model-header-v1" + prefix, hashlib.sha256).digest()
    out = prefix + tag
    n = max(1, -(-len(plaintext) // segment_size))
    for i in range(n):
        seg = plaintext[i * segment_size:(i + 1) * segment_size]
        nonce = base_nonce[:8] + bytes(a ^ b for a, b in zip(base_nonce[8:], struct.pack(">I", i)))
        aad = tag + struct.pack(">IB", i, 1 if i == n - 1 else 0)
        out += AESGCM(key).encrypt(nonce, seg, aad)
    return out, len(prefix) + 32

def sealed_record(key, nonce, aad, plaintext):
    return nonce + AESGCM(key).encrypt(nonce, plaintext, aad)

KEY = bytes(range(32))
OWNER = "a" * 64
USER = "b" * 64
vectors = {}

env = seal_envelope(KEY, bytes(range(0xA0, 0xAC)), "request", OWNER + "/kat-model", USER, "req-1",
                    b'{"inputs":[{"name":"x","shape":[1],"datatype":"FP32","data":[1.5]}]}')
vectors["request_envelope"] = {"key_hex": KEY.hex(), "nonce_hex": bytes(range(0xA0, 0xAC)).hex(), "direction": "request",
    "plaintext_utf8": '{"inputs":[{"name":"x","shape":[1],"datatype":"FP32","data":[1.5]}]}', "envelope": env}
renv = seal_envelope(KEY, bytes(range(0xB0, 0xBC)), "response", OWNER + "/kat-model", USER, "req-1", b'{"outputs":[]}')
vectors["response_envelope"] = {"key_hex": KEY.hex(), "nonce_hex": bytes(range(0xB0, 0xBC)).hex(), "direction": "response",
    "plaintext_utf8": '{"outputs":[]}', "envelope": renv}

for name, pt in [("model_empty", b""), ("model_three_segments", bytes(i % 251 for i in range(2500)))]:
    ct, hlen = model_envelope(KEY, 1, OWNER + "/kat-model", 1024, bytes(range(0x10, 0x1C)), pt)
    vectors[name] = {"key_hex": KEY.hex(), "key_version": 1, "model_id": OWNER + "/kat-model", "segment_size": 1024,
        "base_nonce_hex": bytes(range(0x10, 0x1C)).hex(), "plaintext_length": len(pt),
        "plaintext": "empty" if not pt else "byte i = i mod 251",
        "header_hex": ct[:hlen].hex(), "ciphertext_sha256": hashlib.sha256(ct).hexdigest(), "ciphertext_length": len(ct),
        "last_segment_hex": ct[-(16 + (len(pt) - (max(1, -(-len(pt) // 1024)) - 1) * 1024)):].hex()}

vectors["sealed_record"] = {"key_hex": KEY.hex(), "nonce_hex": bytes(range(0xC0, 0xCC)).hex(), "aad_utf8": "model_keys|owner/x|1",
    "plaintext_hex": bytes(range(32, 64)).hex(),
    "sealed_hex": sealed_record(KEY, bytes(range(0xC0, 0xCC)), b"model_keys|owner/x|1", bytes(range(32, 64))).hex()}
print(json.dumps(vectors, indent=2))
