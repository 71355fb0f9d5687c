package org.sesemi.keyservice.store;

import java.nio.ByteBuffer;
import java.util.HexFormat;
import org.sesemi.crypto.CryptoException;
import org.sesemi.crypto.SealingKey;
import org.sesemi.crypto.StateMac;

/**
 * The sealed summary of the whole database, rewritten in the same transaction as every change: a monotonic
 * {@code version}, the number of access-control rows and the XOR of their keyed digests ({@code rowDigest}), and
 * the audit log's last sequence number and hash-chain value. Sealed (AES-GCM, AAD {@code state_head}) so the host
 * can neither read nor forge it; the keyed digests make the XOR unsteerable by a host that knows the rows.
 */
record StateHead(long version, long rows, byte[] rowDigest, long auditSeq, byte[] auditChain) {
    private static final int BYTES = 8 + 8 + StateMac.TAG_BYTES + 8 + StateMac.TAG_BYTES;

    /** The head of an empty database. */
    static StateHead empty() {
        return new StateHead(0, 0, new byte[StateMac.TAG_BYTES], 0, new byte[StateMac.TAG_BYTES]);
    }

    byte[] seal(SealingKey key) {
        ByteBuffer b = ByteBuffer.allocate(BYTES);
        b.putLong(version).putLong(rows).put(rowDigest).putLong(auditSeq).put(auditChain);
        return key.seal(b.array(), RowSealing.aad("state_head", "1"));
    }

    static StateHead unseal(SealingKey key, byte[] sealed) {
        byte[] plain;
        try {
            plain = key.unseal(sealed, RowSealing.aad("state_head", "1"));
        } catch (CryptoException e) {
            throw new StateIntegrityException(StateIntegrityException.Kind.TAMPERED,
                    "the sealed state head does not open (tampered, or sealed by another TEE identity)");
        }
        if (plain.length != BYTES) {
            throw new StateIntegrityException(StateIntegrityException.Kind.TAMPERED, "the sealed state head has a wrong length");
        }
        ByteBuffer b = ByteBuffer.wrap(plain);
        long version = b.getLong();
        long rows = b.getLong();
        byte[] digest = new byte[StateMac.TAG_BYTES];
        b.get(digest);
        long seq = b.getLong();
        byte[] chain = new byte[StateMac.TAG_BYTES];
        b.get(chain);
        return new StateHead(version, rows, digest, seq, chain);
    }

    /** Same rows and audit log (the version aside). */
    boolean sameContent(StateHead o) {
        return rows == o.rows && auditSeq == o.auditSeq && StateMac.same(rowDigest, o.rowDigest) && StateMac.same(auditChain, o.auditChain);
    }

    static byte[] xor(byte[] acc, byte[] tag) {
        byte[] out = acc.clone();
        for (int i = 0; i < out.length; i++) {
            out[i] ^= tag[i];
        }
        return out;
    }

    @Override
    public String toString() {
        return "StateHead[version=" + version + ", rows=" + rows + ", auditSeq=" + auditSeq + ", digest="
                + HexFormat.of().formatHex(rowDigest, 0, 4) + "...]";
    }
}
