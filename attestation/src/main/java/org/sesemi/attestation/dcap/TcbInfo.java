package org.sesemi.attestation.dcap;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Intel TCB info (v2 or v3), parsed from the exact JSON bytes that Intel signed.
 *
 * @param id "SGX" or "TDX"
 * @param fmspc 6-byte FMSPC (hex, lowercase)
 * @param tcbLevels in Intel's order (highest first); the first matching level wins
 */
public record TcbInfo(String id, int version, Instant issueDate, Instant nextUpdate, String fmspc, String pceId,
        Optional<TdxModule> tdxModule, List<TdxModuleIdentity> tdxModuleIdentities, List<TcbLevel> tcbLevels) {

    /** One platform TCB level. {@code tdxComponents} is present for TDX TCB infos only. */
    public record TcbLevel(int[] sgxComponents, int pceSvn, Optional<int[]> tdxComponents, String status,
            List<String> advisoryIds) {}

    /** The TDX module's expected signer and attributes (TCB info v3 {@code tdxModule}). */
    public record TdxModule(byte[] mrSigner, byte[] attributes, byte[] attributesMask) {}

    /** One TDX module identity ({@code TDX_<major>}) with its ISVSVN-based TCB levels. */
    public record TdxModuleIdentity(String id, byte[] mrSigner, byte[] attributes, byte[] attributesMask,
            List<QeIdentity.IsvLevel> levels) {}

    private static final String W = "TCB info";

    public static TcbInfo parse(byte[] json) {
        JsonNode n = Json.parse(json, W);
        int version = Json.integer(n, "version", W);
        if (version != 2 && version != 3) {
            throw Json.malformed(W + ": unsupported version " + version);
        }
        String id = n.has("id") ? Json.text(n, "id", W) : "SGX";
        if (!id.equals("SGX") && !id.equals("TDX")) {
            throw Json.malformed(W + ": unknown id '" + id + "'");
        }
        String fmspc = HexFormat.of().formatHex(Json.hex(n, "fmspc", 6, W));
        String pceId = HexFormat.of().formatHex(Json.hex(n, "pceId", 2, W));
        Optional<TdxModule> module = Optional.empty();
        List<TdxModuleIdentity> identities = new ArrayList<>();
        if (n.has("tdxModule")) {
            JsonNode m = n.get("tdxModule");
            module = Optional.of(new TdxModule(Json.hex(m, "mrsigner", 48, W), Json.hex(m, "attributes", 8, W),
                    Json.hex(m, "attributesMask", 8, W)));
        }
        if (n.has("tdxModuleIdentities")) {
            for (JsonNode m : Json.array(n, "tdxModuleIdentities", W)) {
                identities.add(new TdxModuleIdentity(Json.text(m, "id", W), Json.hex(m, "mrsigner", 48, W),
                        Json.hex(m, "attributes", 8, W), Json.hex(m, "attributesMask", 8, W), QeIdentity.levels(m, W)));
            }
        }
        List<TcbLevel> levels = new ArrayList<>();
        for (JsonNode l : Json.array(n, "tcbLevels", W)) {
            JsonNode tcb = Json.field(l, "tcb", W);
            int[] sgx = new int[16];
            Optional<int[]> tdx = Optional.empty();
            if (version == 2) {
                for (int i = 0; i < 16; i++) {
                    sgx[i] = Json.integer(tcb, String.format("sgxtcbcomp%02dsvn", i + 1), W);
                }
            } else {
                sgx = components(tcb, "sgxtcbcomponents");
                if (id.equals("TDX")) {
                    tdx = Optional.of(components(tcb, "tdxtcbcomponents"));
                }
            }
            levels.add(new TcbLevel(sgx, Json.integer(tcb, "pcesvn", W), tdx, Json.text(l, "tcbStatus", W),
                    Json.strings(l, "advisoryIDs", W)));
        }
        if (levels.isEmpty()) {
            throw Json.malformed(W + ": no TCB levels");
        }
        return new TcbInfo(id, version, Json.instant(n, "issueDate", W), Json.instant(n, "nextUpdate", W), fmspc, pceId,
                module, List.copyOf(identities), List.copyOf(levels));
    }

    private static int[] components(JsonNode tcb, String name) {
        List<JsonNode> comps = Json.array(tcb, name, W);
        if (comps.size() != 16) {
            throw Json.malformed(W + ": '" + name + "' must have 16 entries");
        }
        int[] out = new int[16];
        for (int i = 0; i < 16; i++) {
            out[i] = Json.integer(comps.get(i), "svn", W);
        }
        return out;
    }
}
