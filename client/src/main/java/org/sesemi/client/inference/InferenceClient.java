package org.sesemi.client.inference;

import org.sesemi.protocol.envelope.BinaryEnvelope;
import org.sesemi.protocol.oip.InferenceRequest;
import org.sesemi.protocol.oip.InferenceResponse;
import org.sesemi.protocol.oip.ModelMetadata;
import org.sesemi.protocol.oip.OipCodec;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.sesemi.crypto.CryptoException;
import org.sesemi.crypto.Envelope;
import org.sesemi.crypto.PayloadRef;
import org.sesemi.crypto.ReferenceEnvelope;
import org.sesemi.protocol.action.RunBody;
import org.sesemi.protocol.envelope.EnvelopeJson;
import org.sesemi.protocol.envelope.RuntimeAnswer;
import org.sesemi.crypto.ModelId;
import org.sesemi.crypto.PrincipalId;
import org.sesemi.crypto.RequestCipher;
import org.sesemi.crypto.RequestEnvelope;
import org.sesemi.crypto.RequestKey;
import org.sesemi.time.SystemTime;

/**
 * The user's inference client: builds an Open Inference Protocol request, seals it under the user's request key for
 * (model, runtime measurement), posts the envelope to a runtime and opens the sealed answer. Only ciphertext, the
 * model id, the user id and a fresh request id leave this object. Thread-safe.
 */
public final class InferenceClient {
    /** How the envelope is posted. */
    public enum Protocol {
        /** The envelope itself as the body (Knative entrypoint, a runtime's direct endpoint). */
        ENVELOPE,
        /** OpenWhisk action protocol: {@code {"value": envelope}} to {@code /run} (testing a runtime container). */
        OPENWHISK_RUN,
        /** The binary envelope form ({@link BinaryEnvelope}) as the body: no base64, for large tensors (Knative entrypoint). */
        ENVELOPE_BINARY,
        /**
         * Through an OpenWhisk REST API (Apache OpenWhisk or the embedded platform): the envelope is the parameter
         * object of a blocking invoke with {@code result=true}, so the answer is the runtime's. See {@link #viaOpenWhisk}.
         */
        OPENWHISK_API
    }

    /**
     * One answer.
     *
     * @param timing the runtime's non-secret timing metadata if it sent any (ms per phase, {@code cold} as 1/0)
     * @param roundTripMs client-observed time from sealing to opened answer
     */
    public record Result(InferenceResponse response, Optional<Map<String, Double>> timing, double roundTripMs) {}

    private final URI endpoint;
    private final Protocol protocol;
    private final PrincipalId user;
    private final ModelId model;
    private final RequestCipher cipher;
    private final HttpClient http;
    private final Duration timeout;
    private final Optional<String> authorization;
    /** Where sealed payloads above {@link #refAbove} go by reference; empty: always inline (the platform may refuse). */
    private final Optional<PayloadStore> payloads;
    private final int refAbove;

    /**
     * Default switch size: a sealed request payload above 720,896 bytes (704 KiB) goes by reference. Its base64 is
     * 961,196 bytes of envelope JSON; with the envelope's other fields and the platform's wrapper that stays under a stock
     * OpenWhisk's 1 MiB payload and result limit with about 85 KiB to spare.
     */
    public static final int DEFAULT_PAYLOAD_REF_ABOVE = 704 << 10;

    /**
     * A client that posts to {@code endpoint} with {@code protocol}, as {@code user}, for {@code model}, sealing under
     * {@code key} (the user's request key for (model, runtime measurement)); HTTP/1.1, 2 minute timeout per request.
     */
    public InferenceClient(URI endpoint, Protocol protocol, PrincipalId user, ModelId model, RequestKey key) {
        this(endpoint, protocol, user, model, key, HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build(), Duration.ofMinutes(2));
    }

    /** As above, with the caller's HTTP client (e.g. shared, or with a proxy) and per-request {@code timeout}. */
    public InferenceClient(URI endpoint, Protocol protocol, PrincipalId user, ModelId model, RequestKey key, HttpClient http, Duration timeout) {
        this(endpoint, protocol, user, model, key, http, timeout, Optional.empty());
    }

    private InferenceClient(URI endpoint, Protocol protocol, PrincipalId user, ModelId model, RequestKey key, HttpClient http, Duration timeout,
            Optional<String> authorization) {
        this(endpoint, protocol, user, model, new RequestCipher(key), http, timeout, authorization, Optional.empty(), DEFAULT_PAYLOAD_REF_ABOVE);
    }

    private InferenceClient(URI endpoint, Protocol protocol, PrincipalId user, ModelId model, RequestCipher cipher, HttpClient http,
            Duration timeout, Optional<String> authorization, Optional<PayloadStore> payloads, int refAbove) {
        this.endpoint = endpoint;
        this.protocol = protocol;
        this.user = user;
        this.model = model;
        this.cipher = cipher;
        this.http = http;
        this.timeout = timeout;
        this.authorization = authorization;
        this.payloads = payloads;
        this.refAbove = refAbove;
    }

    /**
     * This client with the object store's payload area (the runtime's model store: the same directory, or the same
     * bucket and prefix): requests whose sealed payload exceeds {@link #DEFAULT_PAYLOAD_REF_ABOVE} bytes are written
     * there (ciphertext only, under an unguessable name) and the envelope carries a reference; answers the runtime
     * returns by reference are fetched from it. Inline JSON requests carry {@code "answerByRef": true}, so a runtime with
     * the same store also returns a large answer to a small request by reference (the binary form cannot carry the
     * hint: its answers come back inline). Objects are deleted after use. Needs write access to the store.
     */
    public InferenceClient withPayloadStore(PayloadStore store) {
        return withPayloadStore(store, DEFAULT_PAYLOAD_REF_ABOVE);
    }

    /** As {@link #withPayloadStore(PayloadStore)}, switching to a reference above {@code refAboveBytes} of sealed payload. */
    public InferenceClient withPayloadStore(PayloadStore store, int refAboveBytes) {
        if (refAboveBytes < 0) {
            throw new IllegalArgumentException("the switch size is a number of bytes >= 0");
        }
        return new InferenceClient(endpoint, protocol, user, model, cipher, http, timeout, authorization, Optional.of(store), refAboveBytes);
    }

    /**
     * This client with {@code Authorization: Bearer <token>} on every request: the caller credential an operator can
     * require on FnPacker's gateway ({@code sesemi packer serve --auth-token-file}).
     */
    public InferenceClient withBearerToken(String token) {
        if (token.isBlank() || token.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
            throw new IllegalArgumentException("a bearer token is printable ASCII without spaces");
        }
        return new InferenceClient(endpoint, protocol, user, model, cipher, http, timeout, Optional.of("Bearer " + token), payloads, refAbove);
    }

    /**
     * A client that reaches the runtime through an OpenWhisk REST API: each request is a blocking invoke of
     * {@code action} ({@code [pkg/]name} in the key's own namespace) with the sealed envelope as its parameters. The
     * platform (and whoever runs it) sees only the envelope, like any host.
     *
     * @param apiHost e.g. {@code http://127.0.0.1:3233}
     * @param apiKey the OpenWhisk {@code uuid:key} of the invoking subject
     */
    public static InferenceClient viaOpenWhisk(URI apiHost, String apiKey, String action, PrincipalId user, ModelId model, RequestKey key) {
        URI endpoint = org.sesemi.client.platform.OpenWhiskClient.invokeUri(apiHost, action, "blocking=true&result=true");
        String auth = org.sesemi.client.platform.OpenWhiskClient.authorization(apiKey);
        return new InferenceClient(endpoint, Protocol.OPENWHISK_API, user, model, key,
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build(), Duration.ofMinutes(2), Optional.of(auth));
    }

    /**
     * Runs one inference.
     *
     * @param binaryInputs send inputs in the binary-tensor extension (smaller and faster for large tensors)
     * @throws RuntimeRejectedException if the runtime refused (denied, busy, ...)
     * @throws InferenceFailedException if the runtime decrypted the request but could not serve it (wrong shapes...)
     * @throws CryptoException if the answer does not decrypt or belongs to another request
     */
    public Result infer(InferenceRequest request, boolean binaryInputs) throws IOException, InterruptedException {
        long t0 = SystemTime.ticker().read();
        Exchange x = exchange(OipCodec.writeRequest(request, binaryInputs));
        InferenceResponse r = OipCodec.parseResponse(x.plaintext);
        return new Result(r, x.timing, (SystemTime.ticker().read() - t0) / 1e6);
    }

    /** The model's inputs and outputs (served only to users the model is granted to; travels encrypted). */
    public ModelMetadata metadata() throws IOException, InterruptedException {
        InferenceRequest req = new InferenceRequest(Optional.empty(), InferenceRequest.Operation.METADATA, List.of(), List.of(), false);
        return OipCodec.parseMetadata(exchange(OipCodec.writeRequest(req, false)).plaintext);
    }

    private record Exchange(byte[] plaintext, Optional<Map<String, Double>> timing) {}

    private Exchange exchange(byte[] plaintext) throws IOException, InterruptedException {
        String requestId = UUID.randomUUID().toString();
        if (payloads.isPresent() && (long) plaintext.length + RequestEnvelope.MIN_PAYLOAD > refAbove) {
            return exchangeByReference(payloads.get(), requestId, plaintext);
        }
        RequestEnvelope sealed = cipher.sealRequest(model, user, requestId, plaintext);
        if (payloads.isPresent() && protocol != Protocol.ENVELOPE_BINARY) {
            sealed = sealed.withAnswerByRef(true); // a large answer may come back through the store (JSON form only)
        }
        byte[] body = switch (protocol) {
            case ENVELOPE, OPENWHISK_API -> EnvelopeJson.write(sealed);
            case OPENWHISK_RUN -> RunBody.wrap(EnvelopeJson.write(sealed));
            case ENVELOPE_BINARY -> BinaryEnvelope.write(sealed);
        };
        HttpRequest.Builder rb = HttpRequest.newBuilder(endpoint).timeout(timeout)
                .header("Content-Type", protocol == Protocol.ENVELOPE_BINARY ? BinaryEnvelope.CONTENT_TYPE : "application/json");
        authorization.ifPresent(a -> rb.header("Authorization", a));
        HttpResponse<byte[]> resp = http.send(rb.POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
        if (BinaryEnvelope.isBinary(resp.body())) { // 200, or an OIP error status around a sealed error body
            Optional<Map<String, Double>> timing = resp.headers().firstValue("Sesemi-Timing").map(RuntimeAnswer::timingHeader);
            return new Exchange(openChecked(sealed, BinaryEnvelope.parse(resp.body(), Integer.MAX_VALUE)), timing);
        }
        return open(sealed, resp.statusCode(), resp.body());
    }

    /**
     * The sealed payload goes to the store, the envelope (always JSON, it is small) carries the reference. The runtime
     * deletes the object once read; it is deleted here too in case the request never reached the runtime.
     */
    private Exchange exchangeByReference(PayloadStore store, String requestId, byte[] plaintext) throws IOException, InterruptedException {
        RequestCipher.ByReference sealed = cipher.sealRequestByReference(model, user, requestId, plaintext, PayloadRef.newName());
        String name = sealed.envelope().ref().name();
        store.put(name, sealed.object());
        try {
            byte[] envelope = EnvelopeJson.write(sealed.envelope());
            HttpRequest.Builder rb = HttpRequest.newBuilder(endpoint).timeout(timeout).header("Content-Type", "application/json");
            authorization.ifPresent(a -> rb.header("Authorization", a));
            byte[] body = protocol == Protocol.OPENWHISK_RUN ? RunBody.wrap(envelope) : envelope;
            HttpResponse<byte[]> resp = http.send(rb.POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
            return open(sealed.envelope(), resp.statusCode(), resp.body());
        } finally {
            store.delete(name);
        }
    }

    /**
     * Opens a runtime's answer to {@code request}: an envelope (optionally with "timing") or an error object, read in
     * one pass ({@link RuntimeAnswer}).
     */
    private Exchange open(Envelope request, int status, byte[] body) {
        return switch (RuntimeAnswer.read(body)) {
            case RuntimeAnswer.NotJson n -> throw new RuntimeRejectedException("bad_response", "bad_response",
                    "the runtime's answer (HTTP " + status + ") " + n.problem(), status);
            case RuntimeAnswer.Accepted a when status == 202 -> throw new RuntimeRejectedException("accepted", "accepted",
                    "the platform accepted the request as activation " + a.activationId() + " but did not finish it within its blocking wait", status);
            case RuntimeAnswer.Accepted a -> throw new CryptoException(CryptoException.Reason.MALFORMED,
                    "malformed envelope: unknown field 'activationId'");
            case RuntimeAnswer.Rejected r -> throw new RuntimeRejectedException(r.code(), r.reason(), r.message(), status);
            case RuntimeAnswer.Sealed s when s.envelope() instanceof ReferenceEnvelope ref -> new Exchange(openReferenced(request, ref), s.timing());
            case RuntimeAnswer.Sealed s -> new Exchange(openChecked(request, (RequestEnvelope) s.envelope()), s.timing());
        };
    }

    /** An answer the runtime stored by reference: fetched, deleted, checked against the reference and opened. */
    private byte[] openReferenced(Envelope request, ReferenceEnvelope resp) {
        checkSameRequest(request, resp);
        PayloadStore store = payloads.orElseThrow(() -> new RuntimeRejectedException("bad_response", "payload_ref_unexpected",
                "the runtime answered by reference (" + resp.ref().length() + " bytes) but this client has no payload store", 200));
        byte[] object;
        try {
            try {
                object = store.get(resp.ref().name(), resp.ref().length());
            } finally {
                store.delete(resp.ref().name());
            }
        } catch (java.nio.file.NoSuchFileException e) {
            throw new RuntimeRejectedException("bad_response", "payload_not_found",
                    "the answer's payload object " + resp.ref().name() + " is not in " + store.describe(), 200);
        } catch (IOException e) {
            throw new RuntimeRejectedException("bad_response", "payload_store_unavailable",
                    "cannot read the answer's payload from " + store.describe() + ": " + e.getClass().getSimpleName(), 200);
        }
        return cipher.openResponse(resp, object);
    }

    private static void checkSameRequest(Envelope request, Envelope resp) {
        if (!resp.requestId().equals(request.requestId()) || !resp.model().equals(request.model()) || !resp.user().equals(request.user())) {
            throw new CryptoException(CryptoException.Reason.AUTHENTICATION_FAILED, "the response envelope belongs to another request");
        }
    }

    private byte[] openChecked(Envelope request, RequestEnvelope resp) {
        // The AAD binds model, user and requestId; checking the id here stops a host from answering with another
        // (valid) response of the same user.
        checkSameRequest(request, resp);
        return cipher.openResponse(resp);
    }
}
