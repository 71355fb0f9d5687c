package org.sesemi.packer.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sesemi.client.platform.OpenWhiskClient.BlackboxAction;
import org.sesemi.client.platform.OpenWhiskClient.NamespaceLimits;
import org.sesemi.packer.policy.PolicyConfig;

class FunctionSizingTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static GatewayConfig config(BlackboxAction function, int capacity) {
        return GatewayConfig.builder().group("g").function(function)
                .policy("affinity", PolicyConfig.builder().poolSize(2).capacity(capacity).cacheSlots(4).build()).maxModels(16).build();
    }

    private static NamespaceLimits limits(String json) throws Exception {
        return NamespaceLimits.parse(JSON.readTree(json));
    }

    @Test
    void aStockOpenWhiskGetsConcurrencyOneFunctionsWithinItsMemoryThatStillPackModels() throws Exception {
        BlackboxAction asked = BlackboxAction.of("sesemi/semirt").withMemoryMb(1024).withConcurrency(8)
                .withInitParameters(Map.of("SESEMI_KS_URL", "https://ks"));
        FunctionSizing.Fitted fitted = FunctionSizing.fit(config(asked, 8),
                limits("{\"maxActionMemory\":512,\"minActionMemory\":128,\"maxActionConcurrency\":1,\"maxParameterSize\":\"1048576 B\"}"));
        BlackboxAction f = fitted.config().function();
        assertThat(f.memoryMb()).hasValue(512);
        assertThat(f.concurrency()).hasValue(1);
        assertThat(Map.<String, Object>copyOf(f.initParameters())).containsEntry(FunctionSizing.ACTION_CONCURRENCY, "1").containsEntry(FunctionSizing.ACTION_MEMORY, "512")
                .containsEntry("SESEMI_KS_URL", "https://ks");
        assertThat(Map.<String, Object>copyOf(f.annotations())).containsEntry("final", true);
        PolicyConfig policy = fitted.config().policyConfig();
        assertThat(policy.capacity()).isEqualTo(1);
        assertThat(policy.cacheSlots()).isEqualTo(4); // still several models per instance, one request at a time
        assertThat(policy.poolSize()).isEqualTo(2);
        assertThat(fitted.adjustments()).containsExactly("function memory 1024 MB lowered to the platform's maximum 512 MB",
                "function concurrency 8 lowered to the platform's maximum 1", "policy capacity 8 set to the function's concurrency 1");
    }

    @Test
    void withinTheLimitsNothingChangesButTheRuntimeLearnsWhatItWasGiven() throws Exception {
        BlackboxAction asked = BlackboxAction.of("sesemi/semirt").withMemoryMb(1024).withConcurrency(8)
                .withInitParameters(Map.of(FunctionSizing.ACTION_MEMORY, "900"));
        FunctionSizing.Fitted fitted = FunctionSizing.fit(config(asked, 8),
                limits("{\"maxActionMemory\":4096,\"minActionMemory\":128,\"maxActionConcurrency\":500}"));
        assertThat(fitted.adjustments()).isEmpty();
        assertThat(fitted.config().function().memoryMb()).hasValue(1024);
        assertThat(fitted.config().function().concurrency()).hasValue(8);
        // an operator's explicit value wins
        assertThat(Map.<String, Object>copyOf(fitted.config().function().initParameters())).containsEntry(FunctionSizing.ACTION_MEMORY, "900")
                .containsEntry(FunctionSizing.ACTION_CONCURRENCY, "8");
    }

    @Test
    void tooLittleMemoryIsRaisedAndAPlatformThatPublishesNoActionLimitsChangesNothing() throws Exception {
        BlackboxAction small = BlackboxAction.of("img").withMemoryMb(64);
        FunctionSizing.Fitted raised = FunctionSizing.fit(config(small, 1), limits("{\"minActionMemory\":128}"));
        assertThat(raised.config().function().memoryMb()).hasValue(128);
        assertThat(raised.config().function().concurrency()).isEmpty(); // the platform's default, 1
        assertThat(Map.<String, Object>copyOf(raised.config().function().initParameters())).containsEntry(FunctionSizing.ACTION_CONCURRENCY, "1");

        BlackboxAction asked = BlackboxAction.of("img").withMemoryMb(2048).withConcurrency(4);
        FunctionSizing.Fitted older = FunctionSizing.fit(config(asked, 4), limits("{\"invocationsPerMinute\":60}"));
        assertThat(older.adjustments()).isEmpty();
        assertThat(older.config().function().memoryMb()).hasValue(2048);
        assertThat(older.config().policyConfig().capacity()).isEqualTo(4);
    }
}
