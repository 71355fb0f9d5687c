package org.sesemi.protocol.oip;

import org.sesemi.protocol.envelope.BinaryEnvelope;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.sesemi.crypto.CryptoException;

/**
 * Fuzzes the parsers of untrusted plaintext and envelope bytes: the OIP request/response codec (what the trusted core
 * reads after decryption, and what a user's client reads back) and the binary envelope form. The only acceptable
 * failures are the typed ones; a parsed request re-encodes and parses back to equal tensors. Regression mode (plain
 * {@code mvn verify}) replays the seeds in {@code src/test/resources/org/sesemi/client/inference/OipFuzzTestInputs/}.
 */
class OipFuzzTest {
    @FuzzTest(maxDuration = "5m")
    void parseRequest(byte[] data) {
        InferenceRequest r;
        try {
            r = OipCodec.parseRequest(data);
        } catch (OipException expected) {
            return;
        }
        for (boolean binary : new boolean[] {true, false}) {
            InferenceRequest again = OipCodec.parseRequest(OipCodec.writeRequest(r, binary));
            if (again.inputs().size() != r.inputs().size()) {
                throw new AssertionError("round trip changed the inputs");
            }
            for (int i = 0; i < r.inputs().size(); i++) {
                Tensor a = r.inputs().get(i), b = again.inputs().get(i);
                // The binary form is lossless. JSON is lossless except for float NaN payloads, BOOL bytes other than
                // 0/1 (JSON has only true/false) and BYTES that are not UTF-8 (JSON strings): documented limits.
                boolean lossyInJson = a.type() == DataType.FP32 || a.type() == DataType.FP64 || a.type() == DataType.FP16
                        || a.type() == DataType.BOOL || a.type() == DataType.BYTES;
                boolean compareData = binary || !lossyInJson;
                if (a.type() != b.type() || !java.util.Arrays.equals(a.shape(), b.shape()) || (compareData && !a.data().equals(b.data()))) {
                    throw new AssertionError("round trip changed input " + i);
                }
            }
        }
        try {
            OipCodec.parseResponse(data);
        } catch (OipException | InferenceFailedException expected) {
            // typed
        }
    }

    @FuzzTest(maxDuration = "5m")
    void parseBinaryEnvelope(byte[] data) {
        try {
            var e = BinaryEnvelope.parse(data, 1 << 20);
            if (!BinaryEnvelope.parse(BinaryEnvelope.write(e), 1 << 20).equals(e)) {
                throw new AssertionError("binary envelope round trip changed the envelope");
            }
        } catch (CryptoException expected) {
            // typed
        }
    }
}
