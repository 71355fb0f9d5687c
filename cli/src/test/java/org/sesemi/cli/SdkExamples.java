package org.sesemi.cli;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.util.List;
import org.sesemi.attestation.Measurement;
import org.sesemi.attestation.VerificationPolicy;
import org.sesemi.protocol.oip.DataType;
import org.sesemi.client.inference.InferenceClient;
import org.sesemi.protocol.oip.InferenceRequest;
import org.sesemi.protocol.oip.InferenceResponse;
import org.sesemi.protocol.oip.OipCodec;
import org.sesemi.protocol.oip.Tensor;
import org.sesemi.client.keyservice.AuditEvent;
import org.sesemi.client.keyservice.AuditQuery;
import org.sesemi.client.keyservice.KeyServiceClient;
import org.sesemi.client.keyservice.KeyServiceEndpoint;
import org.sesemi.crypto.ModelCipher;
import org.sesemi.crypto.ModelId;
import org.sesemi.crypto.ModelKey;
import org.sesemi.crypto.PrincipalId;
import org.sesemi.crypto.PrincipalIdentity;
import org.sesemi.crypto.RequestKey;
import org.sesemi.runtime.store.DirectoryModelStore;

/**
 * The Java examples of {@code docs/sdk.md}: the doc quotes the code between each {@code // [sdk:NAME]} and
 * {@code // [/sdk:NAME]} marker verbatim ({@code SdkGuideTest} checks that), and {@code SdkGuideIT} runs every one
 * against a real stack. Public client API only (plus the runtime's directory model store for the upload).
 */
final class SdkExamples {
    private SdkExamples() {}

    // [sdk:identity]
    static PrincipalIdentity newIdentity(Path file) {
        PrincipalIdentity me = PrincipalIdentity.generate(); // an EC P-256 key pair
        me.save(file);                                        // PEM, mode 0600; PrincipalIdentity.load(file) reads it back
        return me;                                            // me.id(): the principal id others grant to
    }
    // [/sdk:identity]

    // [sdk:endpoint]
    static KeyServiceEndpoint keyService(URI url, String measurement, Path simulatedRoot) throws Exception {
        PublicKey root;
        try (InputStream in = Files.newInputStream(simulatedRoot)) {
            root = CertificateFactory.getInstance("X.509").generateCertificate(in).getPublicKey();
        }
        VerificationPolicy policy = VerificationPolicy.builder()
                .expectMeasurement(Measurement.parse(measurement)) // the KeyService build you trust, nothing else
                .simulatedTrustRoot(root) // SIMULATED TEE only; on SGX/TDX hardware the Intel root is the default
                .build();
        return new KeyServiceEndpoint(url, policy);
    }
    // [/sdk:endpoint]

    // [sdk:publish]
    static ModelId publish(KeyServiceEndpoint ks, PrincipalIdentity owner, Path onnx, String name, Path storeFolder) throws Exception {
        ModelId model = new ModelId(owner.id(), name);
        ModelKey key = ModelKey.generate(1); // version 1; a higher version later rotates the key
        Path encrypted = Files.createTempFile("model", ".sesemi");
        try (InputStream in = Files.newInputStream(onnx); OutputStream out = Files.newOutputStream(encrypted)) {
            ModelCipher.encrypt(in, Files.size(onnx), out, model, key, ModelCipher.DEFAULT_SEGMENT_SIZE, done -> {});
        }
        try (KeyServiceClient c = KeyServiceClient.forPrincipal(ks, owner)) {
            c.register();               // idempotent
            c.putModelKey(model, key);  // the key goes to the attested KeyService only
        }
        new DirectoryModelStore(storeFolder).put(model, encrypted); // or S3ModelStore; only ciphertext is stored
        Files.delete(encrypted);
        return model;
    }
    // [/sdk:publish]

    // [sdk:grant]
    static void grant(KeyServiceEndpoint ks, PrincipalIdentity owner, ModelId model, PrincipalId user, Measurement runtime) {
        try (KeyServiceClient c = KeyServiceClient.forPrincipal(ks, owner)) {
            c.addGrant(model, user, runtime); // runtimes with this measurement may fetch the keys for this user
        }
    }
    // [/sdk:grant]

    // [sdk:audit]
    static List<AuditEvent> audit(KeyServiceEndpoint ks, PrincipalIdentity owner, ModelId model) {
        try (KeyServiceClient c = KeyServiceClient.forPrincipal(ks, owner)) {
            return c.audit(AuditQuery.forModel(model)); // who was released what, and every denial with its reason
        }
    }
    // [/sdk:audit]

    // [sdk:request-key]
    static RequestKey registerRequestKey(KeyServiceEndpoint ks, PrincipalIdentity user, ModelId model, Measurement runtime) {
        RequestKey key = RequestKey.generate(); // keep it: it encrypts your requests and their answers
        try (KeyServiceClient c = KeyServiceClient.forPrincipal(ks, user)) {
            c.register();
            c.putRequestKey(model, runtime, key); // released only to runtimes the owner granted you
        }
        return key;
    }
    // [/sdk:request-key]

    // [sdk:via-gateway]
    static InferenceResponse inferViaGateway(URI gateway, PrincipalIdentity user, ModelId model, RequestKey key) throws Exception {
        InferenceClient client = new InferenceClient(gateway, InferenceClient.Protocol.ENVELOPE, user.id(), model, key);
        ByteBuffer x = ByteBuffer.allocate(3 * 4).order(ByteOrder.LITTLE_ENDIAN).putFloat(1.5f).putFloat(2f).putFloat(-3f).flip();
        ByteBuffer n = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(4).flip();
        ByteBuffer flag = ByteBuffer.wrap(new byte[] {1, 0, 1});
        InferenceRequest request = new InferenceRequest(java.util.Optional.empty(), InferenceRequest.Operation.INFER, List.of(
                new Tensor("x", DataType.FP32, new long[] {1, 3}, x),
                new Tensor("n", DataType.INT64, new long[] {}, n), // a scalar: shape []
                new Tensor("flag", DataType.BOOL, new long[] {1, 3}, flag)), List.of(), false);
        return client.infer(request, true).response(); // sealed, sent, answer opened and checked
    }
    // [/sdk:via-gateway]

    // [sdk:via-openwhisk]
    static InferenceResponse inferViaOpenWhisk(URI apiHost, String apiKey, String action, PrincipalIdentity user, ModelId model,
            RequestKey key, String requestJson) throws Exception {
        InferenceClient client = InferenceClient.viaOpenWhisk(apiHost, apiKey, action, user.id(), model, key);
        // An OIP request body: JSON only, so nothing (not even a newline) may follow the closing brace.
        InferenceRequest request = OipCodec.parseRequest(requestJson.strip().getBytes(StandardCharsets.UTF_8));
        return client.infer(request, false).response();
    }
    // [/sdk:via-openwhisk]

    // [sdk:via-knative]
    static InferenceResponse inferViaKnative(URI service, PrincipalIdentity user, ModelId model, RequestKey key, String requestJson)
            throws Exception {
        // The binary envelope avoids base64 for large tensors; Protocol.ENVELOPE (JSON) works too.
        InferenceClient client = new InferenceClient(service, InferenceClient.Protocol.ENVELOPE_BINARY, user.id(), model, key);
        return client.infer(OipCodec.parseRequest(requestJson.strip().getBytes(StandardCharsets.UTF_8)), true).response();
    }
    // [/sdk:via-knative]
}
