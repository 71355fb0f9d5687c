package org.sesemi.models.workload;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import org.sesemi.models.workload.TraceFormatException;

/**
 * Fuzz target for the trace reader: any input either parses or fails with {@link TraceFormatException}; any other
 * exception (or running past the limits) is a finding. {@code mvn test} replays the seeds in
 * {@code TraceReaderFuzzTestInputs/parse/}; {@code JAZZER_FUZZ=1 mvn test -Dtest=TraceReaderFuzzTest} fuzzes.
 */
class TraceReaderFuzzTest {
    private static final TraceLimits LIMITS = new TraceLimits(1 << 16, 1 << 12, 256, 64, 1_000_000);

    @FuzzTest(maxDuration = "60s")
    void parse(byte[] data) throws IOException {
        try {
            AzureTrace t = AzureTrace.readInvocations("fuzz.csv", new ByteArrayInputStream(data), LIMITS);
            if (t.functions().size() > LIMITS.maxFunctions() || t.minutes() > LIMITS.maxMinutes()) {
                throw new AssertionError("limits not enforced");
            }
            // Whatever parsed must replay without surprises.
            new TraceWorkload(t, new FunctionMapping.PerFunction(""), TraceWorkload.Config.defaults()).arrivals()
                    .limit(10_000).count();
        } catch (TraceFormatException expected) {
            // typed rejection: fine
        }
    }
}
