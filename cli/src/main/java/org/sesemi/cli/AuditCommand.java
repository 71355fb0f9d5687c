package org.sesemi.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.sesemi.client.keyservice.AuditEvent;
import org.sesemi.client.keyservice.AuditQuery;
import org.sesemi.crypto.ModelId;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sesemi audit}: releases, denials and changes you may see, one JSON object per line. */
@Command(name = "audit", mixinStandardHelpOptions = true,
        description = {"Print the KeyService audit events visible to you (owners: events on their models; users: events naming them),",
            "one JSON object per line, oldest first."})
final class AuditCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Spec CommandSpec spec;
    @Mixin KeyServiceCliOptions ks = new KeyServiceCliOptions();

    @Option(names = "--model-id", paramLabel = "OWNER/NAME", description = "Only events on this model.")
    String modelId;

    @Option(names = "--after", defaultValue = "0", description = "Only events after this sequence number (default ${DEFAULT-VALUE}).")
    long after;

    @Option(names = "--limit", defaultValue = "1000", description = "At most this many events (1..1000, default ${DEFAULT-VALUE}).")
    int limit;

    @Override
    public Integer call() {
        if (limit < 1 || limit > 1000 || after < 0) {
            throw new CliErrors.UserException("--limit must be 1..1000 and --after >= 0");
        }
        AuditQuery q = new AuditQuery(Optional.ofNullable(modelId).map(ModelId::parse), after, limit);
        List<AuditEvent> events = ks.call(c -> c.audit(q));
        for (AuditEvent e : events) {
            ObjectNode n = JSON.createObjectNode().put("seq", e.seq()).put("at", e.at().toString()).put("event", e.event())
                    .put("actor", e.actor());
            n.put("model", e.model().map(ModelId::toString).orElse(null));
            n.put("user", e.user().map(u -> u.hex()).orElse(null));
            n.put("measurement", e.measurement().map(m -> m.value()).orElse(null));
            n.put("outcome", e.outcome()).put("reason", e.reason().orElse(null));
            spec.commandLine().getOut().println(n);
        }
        return 0;
    }
}
