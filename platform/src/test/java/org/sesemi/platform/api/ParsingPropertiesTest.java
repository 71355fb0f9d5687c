package org.sesemi.platform.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.sesemi.platform.PlatformConfig;

/** Untrusted-input parsers never fail with anything but a clean {@link ApiException}, whatever they are fed. */
class ParsingPropertiesTest {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final List<String> FIELDS =
            List.of("exec", "kind", "image", "code", "main", "limits", "timeout", "memory", "logs", "concurrency", "parameters",
                    "annotations", "delAnnotations", "key", "value", "init", "version", "publish", "name", "namespace");
    private final ActionDocuments documents = new ActionDocuments(PlatformConfig.defaults(Path.of("unused.db")));

    @Provide
    Arbitrary<JsonNode> json() {
        return Arbitraries.recursive(this::leaf, this::container, 4);
    }

    private Arbitrary<JsonNode> leaf() {
        return Arbitraries.oneOf(
                Arbitraries.of(F.nullNode(), F.booleanNode(true), F.booleanNode(false), F.textNode("blackbox"), F.textNode("testaction"),
                        F.textNode("0.0.1"), F.textNode("")),
                Arbitraries.integers().map(i -> (JsonNode) F.numberNode(i)),
                Arbitraries.longs().map(l -> (JsonNode) F.numberNode(l)),
                Arbitraries.doubles().map(d -> (JsonNode) F.numberNode(d)),
                Arbitraries.strings().ofMaxLength(12).map(s -> (JsonNode) F.textNode(s)));
    }

    private Arbitrary<JsonNode> container(Arbitrary<JsonNode> inner) {
        Arbitrary<JsonNode> array = inner.list().ofMaxSize(4).map(l -> {
            var a = F.arrayNode();
            l.forEach(a::add);
            return a;
        });
        Arbitrary<JsonNode> object = Arbitraries.maps(Arbitraries.of(FIELDS), inner).ofMaxSize(5).map(m -> {
            ObjectNode o = F.objectNode();
            m.forEach(o::set);
            return o;
        });
        return Arbitraries.oneOf(array, object, object);
    }

    @Property(tries = 2000)
    void actionDocumentsEitherParseOrRefuseCleanly(@ForAll("json") JsonNode body, @ForAll boolean update) {
        Optional<ObjectNode> existing = Optional.empty();
        if (update) {
            ObjectNode put = F.objectNode();
            put.putObject("exec").put("kind", "blackbox").put("image", "testaction");
            existing = Optional.of(documents.put("guest", "a", put, Optional.empty(), 1));
        }
        try {
            ObjectNode doc = documents.put("guest", "a", body, existing, 2);
            assertThat(doc.at("/exec/kind").asText()).isEqualTo("blackbox");
            assertThat(doc.at("/limits/memory").asInt()).isBetween(128, 4096);
            ActionDocuments.summary(doc);
        } catch (ApiException e) {
            assertThat(e.status()).isIn(400, 413);
            assertThat(e.getMessage()).isNotBlank();
        }
    }

    @Property(tries = 1000)
    void transactionIdsAreAlwaysSafe(@ForAll String header) {
        assertThat(PlatformApi.transactionId(header)).matches("[A-Za-z0-9._-]{1,64}");
    }

    @Property(tries = 1000)
    void pathsAndQueriesParseOrRefuseCleanly(@ForAll String raw) {
        try {
            org.sesemi.http.Router.builder().ignoreTrailingSlash().get("/api/v1/namespaces/{ns}/actions/{name}", r -> null)
                    .build().match("GET", "/" + raw);
        } catch (org.sesemi.http.HttpException e) {
            assertThat(e.status()).isIn(400, 404, 405);
        }
        try {
            QueryParams.parse(raw);
        } catch (ApiException e) {
            assertThat(e.status()).isEqualTo(400);
        }
    }
}
