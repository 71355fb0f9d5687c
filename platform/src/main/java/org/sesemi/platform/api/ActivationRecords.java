package org.sesemi.platform.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import org.sesemi.platform.invoker.ActionSpec;
import org.sesemi.platform.invoker.ActivationOutcome;
import org.sesemi.platform.invoker.Invocation;

/**
 * Activation records in OpenWhisk's shape ({@code WhiskActivation} extended JSON), built from the invoker's
 * {@link ActivationOutcome}. The stored record has everything (logs included); the views below cut it down for the
 * blocking response, the list summary and {@code /result}.
 */
final class ActivationRecords {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private ActivationRecords() {}

    static String status(int statusCode) {
        return switch (statusCode) {
            case ActivationOutcome.SUCCESS -> "success";
            case ActivationOutcome.APPLICATION_ERROR -> "application error";
            case ActivationOutcome.DEVELOPER_ERROR -> "action developer error";
            default -> "whisk internal error";
        };
    }

    static ObjectNode record(Invocation inv, String subjectName, ActivationOutcome o) {
        ActionSpec a = inv.action();
        ObjectNode r = F.objectNode();
        r.put("namespace", inv.invocationNamespace());
        r.put("name", a.name());
        r.put("subject", subjectName);
        r.put("activationId", inv.activationId());
        r.put("start", o.start());
        r.put("end", o.end());
        r.put("duration", Math.max(0, o.end() - o.start()));
        ObjectNode response = r.putObject("response");
        JsonNode result = o.result() == null ? F.objectNode() : o.result();
        response.set("result", result);
        response.put("size", result.toString().getBytes(StandardCharsets.UTF_8).length);
        response.put("success", o.statusCode() == ActivationOutcome.SUCCESS);
        response.put("status", status(o.statusCode()));
        ArrayNode logs = r.putArray("logs");
        if (o.logs() != null) {
            o.logs().forEach(logs::add);
        }
        r.put("version", a.version());
        r.put("publish", false);
        ArrayNode ann = r.putArray("annotations");
        ObjectNode limits = F.objectNode();
        limits.put("timeout", a.limits().timeoutMs());
        limits.put("memory", a.limits().memoryMb());
        limits.put("logs", a.limits().logsMb());
        limits.put("concurrency", a.limits().concurrency());
        ann.addObject().put("key", "limits").set("value", limits);
        ann.addObject().put("key", "path").put("value", a.path());
        ann.addObject().put("key", "kind").put("value", a.exec().kind());
        ann.addObject().put("key", "timeout").put("value", o.timeout());
        ann.addObject().put("key", "waitTime").put("value", o.waitTimeMs());
        o.initTimeMs().ifPresent(t -> ann.addObject().put("key", "initTime").put("value", t));
        return r;
    }

    /** The blocking-invoke body: the full record with an empty {@code logs}. */
    static ObjectNode withoutLogs(ObjectNode record) {
        ObjectNode copy = record.deepCopy();
        copy.putArray("logs");
        return copy;
    }

    /** The {@code docs=false} list entry. */
    static ObjectNode summary(ObjectNode record, int statusCode) {
        ObjectNode s = F.objectNode();
        for (String f : new String[] {"namespace", "name", "version", "publish", "annotations", "activationId", "start", "end",
                "duration"}) {
            if (record.has(f)) {
                s.set(f, record.get(f));
            }
        }
        s.put("statusCode", statusCode);
        if (record.has("cause")) {
            s.set("cause", record.get("cause"));
        }
        return s;
    }
}
