package org.sesemi.keyservice.store;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.sesemi.crypto.CryptoException;
import org.sesemi.crypto.ModelKey;
import org.sesemi.crypto.PrincipalId;
import org.sesemi.crypto.RequestKey;
import org.sesemi.crypto.SealingKey;

/**
 * Sealing of single rows: secret columns and grant seals are AES-GCM sealed with the row's table and primary key as
 * AAD, so a row copied to another key, table or database fails to open; a principal's id is the SHA-256 of its
 * public key, so a swapped key shows. Says nothing about whether a row should exist at all: that is the state head's
 * job ({@link StateLedger}). Thread-safe.
 */
final class RowSealing {
    private final SealingKey sealing;

    RowSealing(SealingKey sealing) {
        this.sealing = sealing;
    }

    StateRow.ModelKeyRow sealModelKey(String model, ModelKey key, long now) {
        byte[] raw = key.exportSecret();
        try {
            return new StateRow.ModelKeyRow(model, key.version(),
                    sealing.seal(raw, aad("model_keys", model, Integer.toString(key.version()))), now);
        } finally {
            Arrays.fill(raw, (byte) 0);
        }
    }

    ModelKey openModelKey(StateRow.ModelKeyRow r) {
        byte[] raw = unseal(r.sealedKey(), "model_keys", r.model(), Integer.toString(r.version()));
        try {
            return ModelKey.fromSecret(raw, r.version());
        } finally {
            Arrays.fill(raw, (byte) 0);
        }
    }

    StateRow.RequestKeyRow sealRequestKey(String model, String measurement, String user, RequestKey key, long now) {
        byte[] raw = key.exportSecret();
        try {
            return new StateRow.RequestKeyRow(model, measurement, user,
                    sealing.seal(raw, aad("request_keys", model, measurement, user)), now);
        } finally {
            Arrays.fill(raw, (byte) 0);
        }
    }

    RequestKey openRequestKey(StateRow.RequestKeyRow r) {
        byte[] raw = unseal(r.sealedKey(), "request_keys", r.model(), r.measurement(), r.user());
        try {
            return RequestKey.fromSecret(raw);
        } finally {
            Arrays.fill(raw, (byte) 0);
        }
    }

    StateRow.GrantRow sealGrant(String model, String user, String measurement, long now) {
        return new StateRow.GrantRow(model, user, measurement, now,
                sealing.seal(grantPayload(now), aad("grants", model, user, measurement)));
    }

    void checkGrant(StateRow.GrantRow g) {
        byte[] payload = unseal(g.seal(), "grants", g.model(), g.user(), g.measurement());
        if (!Arrays.equals(payload, grantPayload(g.createdAt()))) {
            throw new StoreException("grant row (" + g.model() + ", " + g.user() + ", " + g.measurement() + ") was modified");
        }
    }

    static void checkPrincipal(StateRow.Principal p) {
        if (!PrincipalId.ofPublicKey(p.publicKey()).hex().equals(p.id())) {
            throw new StoreException("principal " + p.id() + ": the stored public key is not the one its id names (swapped)");
        }
    }

    /** Fails unless every sealed part of {@code row} opens and matches. */
    void check(StateRow row) {
        switch (row) {
            case StateRow.Principal p -> checkPrincipal(p);
            case StateRow.ModelKeyRow m -> openModelKey(m);
            case StateRow.GrantRow g -> checkGrant(g);
            case StateRow.RequestKeyRow r -> openRequestKey(r);
        }
    }

    private static byte[] grantPayload(long createdAt) {
        return ("grant@" + createdAt).getBytes(StandardCharsets.US_ASCII);
    }

    /** AAD of a sealed value: a domain tag, the table and the primary key, NUL-separated (no field contains NUL). */
    static byte[] aad(String table, String... primaryKey) {
        StringBuilder b = new StringBuilder("sesemi-keystore-v1\0").append(table);
        for (String k : primaryKey) {
            b.append('\0').append(k);
        }
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    private byte[] unseal(byte[] sealed, String table, String... primaryKey) {
        try {
            return sealing.unseal(sealed, aad(table, primaryKey));
        } catch (CryptoException e) {
            throw new StoreException("sealed row in " + table + " " + String.join("|", primaryKey)
                    + " does not open (tampered, moved, or sealed by another TEE identity)", e);
        }
    }
}
