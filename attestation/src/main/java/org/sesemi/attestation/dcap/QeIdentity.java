package org.sesemi.attestation.dcap;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Intel QE identity ({@code enclaveIdentity}, version 2; id "QE" for SGX, "TD_QE" for TDX), parsed from the exact
 * JSON bytes that Intel signed.
 */
public record QeIdentity(String id, int version, Instant issueDate, Instant nextUpdate, int miscSelect,
        int miscSelectMask, byte[] attributes, byte[] attributesMask, byte[] mrSigner, int isvProdId,
        List<IsvLevel> tcbLevels) {

    /** A TCB level keyed by ISVSVN (QE identity and TDX module identities). */
    public record IsvLevel(int isvSvn, String status, List<String> advisoryIds) {}

    private static final String W = "QE identity";

    public static QeIdentity parse(byte[] json) {
        JsonNode n = Json.parse(json, W);
        int version = Json.integer(n, "version", W);
        if (version != 2 && version != 3) {
            throw Json.malformed(W + ": unsupported version " + version);
        }
        String id = Json.text(n, "id", W);
        if (!id.equals("QE") && !id.equals("TD_QE") && !id.equals("QVE")) {
            throw Json.malformed(W + ": unknown id '" + id + "'");
        }
        return new QeIdentity(id, version, Json.instant(n, "issueDate", W), Json.instant(n, "nextUpdate", W),
                Bytes.le32(reverse(Json.hex(n, "miscselect", 4, W)), 0), Bytes.le32(reverse(Json.hex(n, "miscselectMask", 4, W)), 0),
                Json.hex(n, "attributes", 16, W), Json.hex(n, "attributesMask", 16, W), Json.hex(n, "mrsigner", 32, W),
                Json.integer(n, "isvprodid", W), levels(n, W));
    }

    static List<IsvLevel> levels(JsonNode n, String what) {
        List<IsvLevel> out = new ArrayList<>();
        for (JsonNode l : Json.array(n, "tcbLevels", what)) {
            out.add(new IsvLevel(Json.integer(Json.field(l, "tcb", what), "isvsvn", what), Json.text(l, "tcbStatus", what),
                    Json.strings(l, "advisoryIDs", what)));
        }
        if (out.isEmpty()) {
            throw Json.malformed(what + ": no TCB levels");
        }
        return List.copyOf(out);
    }

    /** miscselect is written big-endian hex in JSON; the report stores it little-endian. */
    private static byte[] reverse(byte[] b) {
        byte[] r = new byte[b.length];
        for (int i = 0; i < b.length; i++) {
            r[i] = b[b.length - 1 - i];
        }
        return r;
    }
}
