package org.sesemi.keyservice.http;

import static org.sesemi.keyservice.http.KsRequests.param;

import org.sesemi.attestation.RuntimeRule;
import org.sesemi.client.keyservice.Grant;
import org.sesemi.protocol.keyservice.Bodies;
import org.sesemi.crypto.ModelId;
import org.sesemi.crypto.ModelKey;
import org.sesemi.crypto.PrincipalId;
import org.sesemi.crypto.RequestKey;
import org.sesemi.http.Request;
import org.sesemi.http.Response;
import org.sesemi.http.Router;
import org.sesemi.keyservice.core.Caller;
import org.sesemi.keyservice.core.KeyServiceCore;

/**
 * A model's resources: {@code PUT .../key}, {@code DELETE .../key/{version}}, {@code GET .../grants},
 * {@code PUT|DELETE .../grants/{user}/{measurement}} and {@code PUT|DELETE .../request-keys/{measurement}} under
 * {@code /v1/models/{owner}/{name}}. Keys read from bodies are wiped once wrapped.
 */
final class ModelRoutes {
    static final String MODEL = "/v1/models/{owner}/{name}";

    /** An authenticated call on one model. */
    @FunctionalInterface
    interface Authenticated {
        Caller caller(Request r);
    }

    private final KeyServiceCore core;
    private final KsRequests requests;
    private final Authenticated auth;

    ModelRoutes(KeyServiceCore core, KsRequests requests, Authenticated auth) {
        this.core = core;
        this.requests = requests;
        this.auth = auth;
    }

    void routes(Router.Builder b, java.util.function.UnaryOperator<org.sesemi.http.Handler> wrap) {
        b.put(MODEL + "/key", wrap.apply(this::putKey));
        b.delete(MODEL + "/key/{version}", wrap.apply(this::retireKey));
        b.get(MODEL + "/grants", wrap.apply(this::listGrants));
        b.put(MODEL + "/grants/{user}/{measurement}", wrap.apply(this::changeGrant));
        b.delete(MODEL + "/grants/{user}/{measurement}", wrap.apply(this::changeGrant));
        b.put(MODEL + "/request-keys/{measurement}", wrap.apply(this::requestKey));
        b.delete(MODEL + "/request-keys/{measurement}", wrap.apply(this::requestKey));
    }

    private static ModelId model(Request r) {
        return param(() -> new ModelId(PrincipalId.parse(r.pathParam("owner")), r.pathParam("name")), "model id");
    }

    private Response putKey(Request r) {
        Caller caller = auth.caller(r);
        ModelId model = model(r);
        var b = requests.body(r, Bodies.ModelKeyPut.class);
        byte[] raw = KsRequests.base64Key(b.key(), "key");
        ModelKey key;
        try {
            key = param(() -> ModelKey.fromSecret(raw, b.version()), "version");
        } finally {
            java.util.Arrays.fill(raw, (byte) 0);
        }
        boolean created = core.putModelKey(caller, model, key);
        return KeyServiceHttp.json(created ? 201 : 200, new Bodies.ModelKeyPutResponse(model.toString(), key.version(), created));
    }

    private Response retireKey(Request r) {
        Caller caller = auth.caller(r);
        ModelId model = model(r);
        requests.noBody(r);
        int version = param(() -> KsRequests.version(r.pathParam("version")), "version");
        boolean retired = core.retireModelKey(caller, model, version);
        return KeyServiceHttp.json(200, new Bodies.ModelKeyRetireResponse(model.toString(), version, retired));
    }

    private Response listGrants(Request r) {
        Caller caller = auth.caller(r);
        ModelId model = model(r);
        requests.noBody(r);
        var list = core.listGrants(caller, model).stream().map(g -> new Bodies.GrantView(g.grant().model().toString(),
                g.grant().user().hex(), g.grant().runtime().value(), g.createdAt().toString())).toList();
        return KeyServiceHttp.json(200, new Bodies.GrantList(list));
    }

    private Response changeGrant(Request r) {
        Caller caller = auth.caller(r);
        ModelId model = model(r);
        requests.noBody(r);
        Grant g = new Grant(model, param(() -> PrincipalId.parse(r.pathParam("user")), "user"),
                param(() -> KsRequests.strictRule(r.pathParam("measurement")), "measurement"));
        boolean put = r.method().equals("PUT");
        boolean changed = put ? core.addGrant(caller, g) : core.revokeGrant(caller, g);
        return KeyServiceHttp.json(put && changed ? 201 : 200, new Bodies.WriteResponse(changed));
    }

    private Response requestKey(Request r) {
        Caller caller = auth.caller(r);
        ModelId model = model(r);
        RuntimeRule m = param(() -> KsRequests.strictRule(r.pathParam("measurement")), "measurement");
        if (r.method().equals("DELETE")) {
            requests.noBody(r);
            return KeyServiceHttp.json(200, new Bodies.WriteResponse(core.deleteRequestKey(caller, model, m)));
        }
        var b = requests.body(r, Bodies.RequestKeyPut.class);
        byte[] raw = KsRequests.base64Key(b.key(), "key");
        RequestKey key;
        try {
            key = RequestKey.fromSecret(raw);
        } finally {
            java.util.Arrays.fill(raw, (byte) 0);
        }
        return KeyServiceHttp.json(200, new Bodies.WriteResponse(core.putRequestKey(caller, model, m, key)));
    }
}
