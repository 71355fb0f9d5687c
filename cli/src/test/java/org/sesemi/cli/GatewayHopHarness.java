package org.sesemi.cli;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.sesemi.client.inference.InferenceClient;
import org.sesemi.packer.gateway.PackerGateway;
import org.sesemi.protocol.oip.InferenceRequest;

/**
 * FnPacker's warm hop, measured alone: the same warm MiniLM request (real KeyService, embedded platform, real runtime
 * processes) through the gateway and through the platform's REST API, interleaved with the order rotated, so both paths
 * see the same machine load. Reports each p50 and what the gateway adds ({@code gateway_added_p50_ms} of
 * {@code sesemi bench platform}, without its cold starts). A measurement, not a check: runs only with
 * {@code -Dsesemi.gatewayhop=true} ({@code -Dsesemi.gatewayhop.requests=N}, default 300), e.g.
 * {@code ./mvnw -B -o -pl cli -am verify -Dit.test=GatewayHopHarness -Dsesemi.gatewayhop=true -Dtest=none
 * -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@EnabledIfSystemProperty(named = "sesemi.gatewayhop", matches = "true", disabledReason = "a measurement: -Dsesemi.gatewayhop=true")
class GatewayHopHarness {
    @Test
    void gatewayAddedWarmLatency() throws Exception {
        int requests = Integer.getInteger("sesemi.gatewayhop.requests", 300);
        try (LocalStack stack = LocalStack.start("sesemi-gateway-hop-", 2048, false);
                PackerGateway gateway = stack.startGateway("hop", 1, 512)) {
            stack.createFunction("warm", 512, 8, Map.of());
            InferenceRequest req = stack.sentence("Your card was charged for a purchase you did not make");
            InferenceClient viaPlatform = stack.userClient("warm");
            InferenceClient viaGateway = new InferenceClient(gateway.uri().resolve("/v1/invoke"), InferenceClient.Protocol.ENVELOPE,
                    stack.user.id(), stack.model, stack.requestKey);
            for (int i = 0; i < 100; i++) { // both containers' cold starts, then JIT warm-up of both paths
                viaPlatform.infer(req, true);
                viaGateway.infer(req, true);
            }
            double[] platform = new double[requests];
            double[] packer = new double[requests];
            for (int i = 0; i < requests; i++) {
                if (i % 2 == 0) {
                    platform[i] = viaPlatform.infer(req, true).roundTripMs();
                    packer[i] = viaGateway.infer(req, true).roundTripMs();
                } else {
                    packer[i] = viaGateway.infer(req, true).roundTripMs();
                    platform[i] = viaPlatform.infer(req, true).roundTripMs();
                }
            }
            double p = p50(platform), g = p50(packer);
            System.out.printf(Locale.ROOT, "gateway hop: %d requests per path; platform p50 %.3f ms, gateway p50 %.3f ms, "
                    + "gateway_added_p50_ms %.3f (load average %.2f)%n", requests, p, g, g - p,
                    java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        }
    }

    private static double p50(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
