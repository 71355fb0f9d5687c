package org.sesemi.cli;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.sesemi.protocol.oip.DataType;
import org.sesemi.client.inference.InferenceClient;
import org.sesemi.protocol.oip.InferenceFailedException;
import org.sesemi.protocol.oip.InferenceRequest;
import org.sesemi.protocol.oip.InferenceResponse;
import org.sesemi.protocol.oip.OipCodec;
import org.sesemi.protocol.oip.OipException;
import org.sesemi.client.inference.RuntimeRejectedException;
import org.sesemi.protocol.oip.Tensor;
import org.sesemi.client.keyservice.RequestKeyFile;
import org.sesemi.client.platform.OpenWhiskClient;
import org.sesemi.crypto.CryptoException;
import org.sesemi.crypto.ModelId;
import org.sesemi.crypto.PrincipalIdentity;
import org.sesemi.platform.PlatformServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sesemi infer}: the user's request from the command line. Reads an Open Inference Protocol request body
 * (JSON), seals it under the user's request key for (model, runtime measurement), sends it through the gateway or a
 * runtime/OpenWhisk endpoint, and prints the decrypted OIP response as JSON. Refusals are one line on stderr, exit 1.
 */
@Command(name = "infer", mixinStandardHelpOptions = true,
        description = {"Send an encrypted inference request and print the decrypted Open Inference Protocol response (JSON).",
            "REQUEST.json is an OIP request body: {\"inputs\":[{\"name\":..,\"shape\":[..],\"datatype\":\"FP32\",\"data\":[..]}, ..]}",
            "(scalars have shape []). Defaults come from the environment or sesemi.env ('sesemi up')."})
final class InferCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "OWNER/NAME", description = "The model (as printed by 'sesemi model publish').")
    String model;

    @Option(names = "--input", paramLabel = "REQUEST.json", description = "OIP request body; '-' reads standard input.")
    String input;

    @Option(names = "--metadata", description = "Instead of inferring, print the model's inputs and outputs (OIP model metadata).")
    boolean metadata;

    @Option(names = "--identity", paramLabel = "FILE", description = "Your identity file (env SESEMI_IDENTITY).")
    Path identity;

    @Option(names = "--request-key", paramLabel = "FILE",
            description = "Your request key file for (model, runtime measurement), from 'sesemi request-key put --key-out' (env SESEMI_REQUEST_KEY).")
    Path requestKey;

    @Option(names = "--via", paramLabel = "URL", description = {"Where to send it (default SESEMI_GATEWAY_URL): the FnPacker gateway's /v1/invoke,",
        "a runtime's Knative/direct endpoint, a runtime container's /run, or an OpenWhisk action URL .../api/v1/namespaces/NS/actions/NAME."})
    String via;

    @Option(names = "--platform-auth", paramLabel = "UUID:KEY",
            description = "OpenWhisk API key for an action URL (env SESEMI_PLATFORM_AUTH; default: the embedded platform's guest key).")
    String platformAuth;

    @Option(names = "--gateway-token-file", paramLabel = "FILE", description = {"The gateway's caller token (sent as Authorization: Bearer).",
        "Default: env SESEMI_GATEWAY_TOKEN, else the file SESEMI_GATEWAY_TOKEN_FILE ('sesemi up' writes it), sent only to",
        "the gateway of SESEMI_GATEWAY_URL."})
    Path gatewayTokenFile;

    @Option(names = "--output", paramLabel = "FILE", description = "Write the response here instead of standard output.")
    Path output;

    @Override
    public Integer call() throws Exception {
        ModelId id = parseModel();
        if (!metadata && input == null) {
            throw new CliErrors.UserException("--input REQUEST.json is required (or --metadata)");
        }
        String idFile = SesemiEnv.get(identity == null ? null : identity.toString(), SesemiEnv.IDENTITY).orElseThrow(() ->
                new CliErrors.UserException("no identity: pass --identity FILE or set SESEMI_IDENTITY (create one with 'sesemi identity create')"));
        PrincipalIdentity user = PrincipalIdentity.load(Path.of(idFile));
        RequestKeyFile key = requestKey(id, user);
        InferenceRequest request = metadata ? null : readRequest();
        InferenceClient client = client(id, user, key);
        byte[] json;
        try {
            json = metadata ? OipCodec.writeMetadata(client.metadata()) : printable(client.infer(request, true).response());
        } catch (RuntimeRejectedException e) {
            throw new CliErrors.UserException(refusal(e, id, key));
        } catch (InferenceFailedException e) {
            throw new CliErrors.UserException("the runtime could not serve the request: " + e.getMessage());
        } catch (CryptoException e) {
            throw new CliErrors.UserException("the answer did not decrypt under your request key (" + e.getMessage() + ")");
        } catch (java.net.ConnectException e) {
            throw new CliErrors.UserException("cannot reach " + endpoint() + " (is 'sesemi up' running?)");
        }
        if (output != null) {
            Files.write(output, json);
        } else {
            spec.commandLine().getOut().println(new String(json, StandardCharsets.UTF_8));
        }
        return 0;
    }

    private ModelId parseModel() {
        try {
            return ModelId.parse(model);
        } catch (CryptoException | IllegalArgumentException e) {
            throw new CliErrors.UserException("--model: " + e.getMessage());
        }
    }

    /** The request key file, checked against the model and (when known) the runtime measurement; says how to make one. */
    private RequestKeyFile requestKey(ModelId id, PrincipalIdentity user) {
        Optional<String> runtime = SesemiEnv.get(SesemiEnv.RUNTIME_MEASUREMENT);
        String create = "create one with 'sesemi request-key put --model-id " + id + " --measurement "
                + runtime.orElse("<runtime measurement, see 'sesemi measure'>") + " --key-out FILE --identity <your identity>'"
                + " (after the owner granted you the model for that runtime), then pass --request-key FILE";
        Optional<String> file = SesemiEnv.get(requestKey == null ? null : requestKey.toString(), "SESEMI_REQUEST_KEY");
        if (file.isEmpty()) {
            throw new CliErrors.UserException("no request key for (" + id + ", " + runtime.orElse("the runtime") + "): " + create);
        }
        RequestKeyFile k = RequestKeyFile.read(Path.of(file.get()));
        if (!k.modelId().equals(id)) {
            throw new CliErrors.UserException("request key " + file.get() + " is for model " + k.modelId() + ", not " + id + "; " + create);
        }
        // A key for a signer or register rule serves every build the rule admits: only a measurement key can be compared.
        if (runtime.isPresent() && k.measurement() instanceof org.sesemi.attestation.Measurement
                && !KeyServiceCliOptions.measurement(runtime.get(), SesemiEnv.RUNTIME_MEASUREMENT).equals(k.measurement())) {
            throw new CliErrors.UserException("request key " + file.get() + " is for runtime measurement " + k.measurement()
                    + ", but the runtime here is " + runtime.get() + "; " + create);
        }
        return k;
    }

    private InferenceRequest readRequest() throws IOException {
        byte[] body = input.equals("-") ? System.in.readAllBytes() : Files.readAllBytes(Path.of(input));
        // A request file is JSON only (no binary section): the final newline of a text file is not part of the body.
        int end = body.length;
        while (end > 0 && (body[end - 1] == '\n' || body[end - 1] == '\r' || body[end - 1] == ' ' || body[end - 1] == '\t')) {
            end--;
        }
        body = java.util.Arrays.copyOf(body, end);
        try {
            InferenceRequest r = OipCodec.parseRequest(body);
            if (r.operation() == InferenceRequest.Operation.INFER && r.inputs().isEmpty()) {
                throw new CliErrors.UserException("--input " + input + ": the request has no inputs");
            }
            return r;
        } catch (OipException e) {
            throw new CliErrors.UserException("--input " + input + ": not a valid OIP request: " + e.getMessage());
        }
    }

    private String endpoint() {
        return SesemiEnv.get(via, SesemiEnv.GATEWAY_URL).orElseThrow(() -> new CliErrors.UserException(
                "nowhere to send the request: pass --via URL or set SESEMI_GATEWAY_URL ('sesemi up' writes it)"));
    }

    private InferenceClient client(ModelId id, PrincipalIdentity user, RequestKeyFile key) {
        URI uri;
        try {
            uri = URI.create(endpoint());
        } catch (IllegalArgumentException e) {
            throw new CliErrors.UserException("--via: not a URL: " + endpoint());
        }
        if (uri.getScheme() == null || uri.getHost() == null) {
            throw new CliErrors.UserException("--via: not an http(s) URL: " + uri);
        }
        String path = uri.getPath() == null ? "" : uri.getPath();
        int actions = path.indexOf("/actions/");
        if (path.startsWith("/api/v1/namespaces/") && actions > 0) {
            String auth = SesemiEnv.get(platformAuth, SesemiEnv.PLATFORM_AUTH).orElse(PlatformServer.GUEST_API_KEY);
            URI apiHost = URI.create(uri.getScheme() + "://" + uri.getRawAuthority());
            String action = java.net.URLDecoder.decode(path.substring(actions + "/actions/".length()), StandardCharsets.UTF_8);
            return InferenceClient.viaOpenWhisk(apiHost, auth, action, user.id(), id, key.key());
        }
        InferenceClient.Protocol protocol = path.endsWith("/run") ? InferenceClient.Protocol.OPENWHISK_RUN : InferenceClient.Protocol.ENVELOPE;
        InferenceClient client = new InferenceClient(uri, protocol, user.id(), id, key.key());
        return gatewayToken().map(client::withBearerToken).orElse(client);
    }

    /**
     * The caller token for the gateway: from {@code --gateway-token-file}, else (only when sending to the configured
     * gateway, so that the token never goes to another endpoint given with {@code --via}) from the environment or the
     * file that {@code sesemi.env} names.
     */
    private Optional<String> gatewayToken() {
        if (gatewayTokenFile != null) {
            return Optional.of(readToken(gatewayTokenFile, "--gateway-token-file"));
        }
        Optional<String> gateway = SesemiEnv.get(SesemiEnv.GATEWAY_URL);
        if (gateway.isEmpty() || !gateway.get().equals(endpoint())) {
            return Optional.empty();
        }
        Optional<String> token = Optional.ofNullable(System.getenv(SesemiEnv.GATEWAY_TOKEN)).map(String::strip).filter(t -> !t.isEmpty());
        if (token.isPresent()) {
            return token;
        }
        return SesemiEnv.get(SesemiEnv.GATEWAY_TOKEN_FILE).map(f -> readToken(Path.of(f), SesemiEnv.GATEWAY_TOKEN_FILE));
    }

    private static String readToken(Path file, String what) {
        try {
            String token = Files.readString(file).strip();
            if (token.isEmpty()) {
                throw new CliErrors.UserException(what + " " + file + ": empty");
            }
            return token;
        } catch (IOException e) {
            throw new CliErrors.UserException("cannot read " + what + " " + file + ": " + e.getMessage());
        }
    }

    /** One line for a refusal, with the command that fixes the usual causes. */
    static String refusal(RuntimeRejectedException e, ModelId id, RequestKeyFile key) {
        // The exception's message already reads "code (reason): detail".
        String base = "refused: " + e.getMessage();
        return switch (e.reason()) {
            case "no_request_key" -> base + "; store your request key with 'sesemi request-key put --key FILE'";
            case "unauthenticated" -> base + "; pass the gateway's caller token with --gateway-token-file FILE ('sesemi up' writes it to"
                    + " DIR/" + UpCommand.GATEWAY_TOKEN_FILE + " and names it in sesemi.env)";
            case "no_grant" -> base + "; ask the owner of " + id.owner() + " for 'sesemi grant add --model-id " + id
                    + " --user <your principal id> --measurement " + key.measurement().value() + "'";
            default -> base;
        };
    }

    /**
     * The response as pure JSON: every output as JSON data. FP16 outputs (which the codec only writes as binary) are
     * widened to FP32 values for printing.
     */
    static byte[] printable(InferenceResponse r) {
        List<Tensor> outs = new ArrayList<>();
        for (Tensor t : r.outputs()) {
            outs.add(t.type() == DataType.FP16 ? widen(t) : t);
        }
        return OipCodec.writeResponse(new InferenceResponse(r.modelName(), r.id(), outs, Collections.nCopies(outs.size(), false)));
    }

    private static Tensor widen(Tensor half) {
        ByteBuffer in = half.data().order(ByteOrder.LITTLE_ENDIAN);
        int n = (int) half.elementCount();
        ByteBuffer out = ByteBuffer.allocate(n * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            out.putFloat(Float.float16ToFloat(in.getShort(i * 2)));
        }
        return new Tensor(half.name(), DataType.FP32, half.shape(), out.flip());
    }
}
