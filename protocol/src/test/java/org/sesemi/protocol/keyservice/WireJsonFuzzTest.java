package org.sesemi.protocol.keyservice;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;
import java.util.List;
import org.sesemi.protocol.keyservice.Bodies;
import org.sesemi.protocol.keyservice.WireFormatException;
import org.sesemi.protocol.keyservice.WireJson;

/**
 * Fuzzes the strict JSON reader of the KeyService wire bodies (what the server reads from every caller and the
 * client reads from the server): the only acceptable failure is a {@link WireFormatException}, and a successful read
 * re-encodes and reads back to an equal record. The first byte picks the body type. Regression mode (plain
 * {@code mvn verify}) replays the seeds in {@code src/test/resources/org/sesemi/client/keyservice/WireJsonFuzzTestInputs/}.
 */
class WireJsonFuzzTest {
    private static final List<Class<? extends Record>> TYPES = List.of(Bodies.ModelKeyPut.class, Bodies.RequestKeyPut.class,
            Bodies.ReleaseRequest.class, Bodies.ReleaseResponse.class, Bodies.GrantList.class, Bodies.AuditList.class,
            Bodies.ErrorResponse.class, Bodies.RegisterResponse.class, Bodies.WriteResponse.class, Bodies.Health.class);

    @FuzzTest(maxDuration = "5m")
    void read(byte[] data) {
        if (data.length == 0) {
            return;
        }
        Class<? extends Record> type = TYPES.get(Byte.toUnsignedInt(data[0]) % TYPES.size());
        byte[] body = Arrays.copyOfRange(data, 1, data.length);
        Record r;
        try {
            r = WireJson.read(body, type);
        } catch (WireFormatException expected) {
            return;
        }
        Record again = WireJson.read(WireJson.write(r), type);
        if (!again.equals(r)) {
            throw new AssertionError("round trip changed a " + type.getSimpleName());
        }
    }
}
