package org.sesemi.keyservice.store;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * One row of an access-control table exactly as stored (secret columns sealed), as the enclave holds it in memory.
 * {@link #key()} names the row uniquely across tables; {@link #canonical()} is the unambiguous encoding (every field
 * length-prefixed) that the state head's keyed digest covers.
 */
sealed interface StateRow permits StateRow.Principal, StateRow.ModelKeyRow, StateRow.GrantRow, StateRow.RequestKeyRow {

    /** {@code table NUL primary key fields...}: unique across all tables. */
    String key();

    /** Every column, length-prefixed, after the key. */
    byte[] canonical();

    /** A registered owner or user; {@code id} is the SHA-256 of {@code publicKey} (checked when loaded). */
    record Principal(String id, byte[] publicKey, long createdAt) implements StateRow {
        static String keyOf(String id) {
            return "principals\0" + id;
        }

        @Override
        public String key() {
            return keyOf(id);
        }

        @Override
        public byte[] canonical() {
            return encode(key(), publicKey, createdAt);
        }
    }

    /** One version of a model key, sealed with AAD (table, model, version). */
    record ModelKeyRow(String model, int version, byte[] sealedKey, long createdAt) implements StateRow {
        static String keyOf(String model, int version) {
            return "model_keys\0" + model + "\0" + version;
        }

        @Override
        public String key() {
            return keyOf(model, version);
        }

        @Override
        public byte[] canonical() {
            return encode(key(), sealedKey, createdAt);
        }
    }

    /** A grant; {@code seal} binds its creation time to its primary key. */
    record GrantRow(String model, String user, String measurement, long createdAt, byte[] seal) implements StateRow {
        static String keyOf(String model, String user, String measurement) {
            return "grants\0" + model + "\0" + user + "\0" + measurement;
        }

        @Override
        public String key() {
            return keyOf(model, user, measurement);
        }

        @Override
        public byte[] canonical() {
            return encode(key(), seal, createdAt);
        }
    }

    /** A user's request key for (model, measurement), sealed with AAD (table, model, measurement, user). */
    record RequestKeyRow(String model, String measurement, String user, byte[] sealedKey, long createdAt) implements StateRow {
        static String keyOf(String model, String measurement, String user) {
            return "request_keys\0" + model + "\0" + measurement + "\0" + user;
        }

        @Override
        public String key() {
            return keyOf(model, measurement, user);
        }

        @Override
        public byte[] canonical() {
            return encode(key(), sealedKey, createdAt);
        }
    }

    private static byte[] encode(String key, byte[] blob, long time) {
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream(k.length + blob.length + 20);
        out.writeBytes(ByteBuffer.allocate(4).putInt(k.length).array());
        out.writeBytes(k);
        out.writeBytes(ByteBuffer.allocate(4).putInt(blob.length).array());
        out.writeBytes(blob);
        out.writeBytes(ByteBuffer.allocate(8).putLong(time).array());
        return out.toByteArray();
    }
}
