package org.sesemi.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Helpers for tests that run {@code sesemi runtime serve} as a child process (see {@link SesemiProcess#start}). */
final class ChildRuntime {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private ChildRuntime() {}

    /** OpenWhisk {@code /init} with {@code settings} as {@code value.env}; asserts it succeeded. */
    static void init(URI base, Map<String, String> settings) throws Exception {
        ObjectMapper json = new ObjectMapper();
        ObjectNode body = json.createObjectNode();
        ObjectNode env = body.putObject("value").putObject("env");
        settings.forEach(env::put);
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(base.resolve("/init")).POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    /** The simulated measurement of a runtime started by {@link SesemiProcess} (what {@code sesemi measure} prints). */
    static org.sesemi.attestation.Measurement measurement() throws Exception {
        var r = SesemiProcess.run("measure", "--role", "runtime");
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        return org.sesemi.attestation.Measurement.parse(new ObjectMapper().readTree(r.stdout()).path("measurements").path("runtime").asText());
    }

    /** Resident set size of a Linux process in bytes ({@code VmRSS} of {@code /proc/<pid>/status}). */
    static long rssBytes(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IOException("no VmRSS in /proc/" + pid + "/status");
    }
}
