package org.sesemi.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintStream;
import java.net.URI;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sesemi.attestation.tee.Pki;
import org.sesemi.protocol.oip.InferenceResponse;
import org.sesemi.client.inference.RuntimeRejectedException;
import org.sesemi.protocol.oip.Tensor;
import org.sesemi.client.keyservice.AuditEvent;
import org.sesemi.client.keyservice.KeyServiceEndpoint;
import org.sesemi.client.platform.OpenWhiskClient;
import org.sesemi.crypto.ModelId;
import org.sesemi.crypto.PrincipalIdentity;
import org.sesemi.crypto.RequestKey;
import org.sesemi.packer.gateway.PackerGateway;
import org.sesemi.platform.PlatformServer;
import org.sesemi.runtime.core.EnclaveRuntime;
import org.sesemi.runtime.host.HostConfig;
import org.sesemi.runtime.host.RuntimeServer;

/**
 * Runs every example of {@code docs/sdk.md} ({@link SdkExamples}) against a real stack on loopback: the owner's flow
 * (identity, attested KeyService endpoint, publish, grant, audit) and the user's (request key, inference through the
 * FnPacker gateway, the OpenWhisk REST API and a Knative-mode runtime), each answer decrypted and checked.
 */
class SdkGuideIT {
    @TempDir Path dir;

    private static void assertOutputs(InferenceResponse r) {
        Map<String, Tensor> out = new java.util.HashMap<>();
        r.outputs().forEach(t -> out.put(t.name(), t));
        var y = out.get("y").data().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        assertThat(new float[] {y.get(0), y.get(1), y.get(2)}).containsExactly(6f, 0f, -12f);
        assertThat(out.get("n2").shape()).isEmpty();
        assertThat(out.get("n2").data().order(ByteOrder.LITTLE_ENDIAN).getLong(0)).isEqualTo(8);
        var off = out.get("off").data();
        assertThat(new byte[] {off.get(0), off.get(1), off.get(2)}).containsExactly(0, 1, 0);
    }

    @Test
    void everyExampleOfTheGuideRunsAgainstARealStack() throws Exception {
        try (EmbeddedStack stack = EmbeddedStack.start(dir.resolve("stack"), 0, 0, 2048)) {
            Path root = Files.writeString(dir.resolve("root.pem"), Pki.pem(List.of(stack.simulatedRoot())));
            KeyServiceEndpoint ks = SdkExamples.keyService(stack.ks.uri(), stack.ks.measurement().value(), root);

            PrincipalIdentity owner = SdkExamples.newIdentity(dir.resolve("owner.pem"));
            PrincipalIdentity user = SdkExamples.newIdentity(dir.resolve("user.pem"));
            assertThat(PrincipalIdentity.load(dir.resolve("owner.pem")).id()).isEqualTo(owner.id());

            Path onnx = Files.write(dir.resolve("mixed.onnx"), MixedInputsModel.onnx());
            ModelId model = SdkExamples.publish(ks, owner, onnx, "mixed", stack.store.root());
            assertThat(Files.isRegularFile(stack.store.pathOf(model))).isTrue();
            SdkExamples.grant(ks, owner, model, user.id(), stack.runtimeMeasurement);
            RequestKey key = SdkExamples.registerRequestKey(ks, user, model, stack.runtimeMeasurement);

            try (PackerGateway gateway = stack.startGateway(0, "sdk", 1, 512)) {
                assertOutputs(SdkExamples.inferViaGateway(gateway.uri().resolve("/v1/invoke"), user, model, key));
                // Someone with a request key of its own but no grant gets nothing.
                PrincipalIdentity stranger = PrincipalIdentity.generate();
                RequestKey strangerKey = SdkExamples.registerRequestKey(ks, stranger, model, stack.runtimeMeasurement);
                assertThatThrownBy(() -> SdkExamples.inferViaGateway(gateway.uri().resolve("/v1/invoke"), stranger, model, strangerKey))
                        .isInstanceOfSatisfying(RuntimeRejectedException.class, e -> assertThat(e.reason()).isEqualTo("no_grant"));
            }

            stack.platformClient.putAction("sdk-action", OpenWhiskClient.BlackboxAction.of(PlatformCommand.SEMIRT_IMAGE).withMemoryMb(512)
                    .withInitParameters(stack.initParameters(Map.of())), true);
            assertOutputs(SdkExamples.inferViaOpenWhisk(stack.platform.apiHost(), PlatformServer.GUEST_API_KEY, "sdk-action", user, model,
                    key, MixedInputsModel.REQUEST));

            PrintStream quiet = new PrintStream(java.io.OutputStream.nullOutputStream());
            try (RuntimeServer knative = RuntimeServer.start(HostConfig.knative().bind("127.0.0.1").port(0).build(), EnclaveRuntime::fromSettings,
                    stack.initParameters(Map.of()), quiet, quiet)) {
                assertOutputs(SdkExamples.inferViaKnative(URI.create("http://127.0.0.1:" + knative.port() + "/"), user, model, key,
                        MixedInputsModel.REQUEST));
            }

            List<AuditEvent> audit = SdkExamples.audit(ks, owner, model);
            assertThat(audit).extracting(AuditEvent::event).contains("model_key_put", "grant_add");
            assertThat(audit).anyMatch(e -> e.event().equals("release") && e.outcome().equals("allowed")
                    && e.user().equals(java.util.Optional.of(user.id())));
            assertThat(audit).anyMatch(e -> e.event().equals("release") && e.outcome().equals("denied")
                    && e.reason().equals(java.util.Optional.of("no_grant")));
        }
    }
}
