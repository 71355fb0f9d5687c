package org.sesemi.platform.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.sesemi.platform.api.PlatformFixture.Resp;

/** Actions CRUD and list per OpenWhisk §2.3/§2.4, and refusal of bad action documents, on the wire. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ActionsApiTest {
    private static final String ACTIONS = "/api/v1/namespaces/_/actions/";

    @TempDir
    static Path dir;

    PlatformFixture p;

    @BeforeAll
    void start() {
        p = PlatformFixture.start(dir, c -> c);
    }

    @AfterAll
    void stop() {
        p.close();
    }

    private static JsonNode annotation(JsonNode doc, String key) {
        for (JsonNode kv : doc.get("annotations")) {
            if (kv.get("key").asText().equals(key)) {
                return kv.get("value");
            }
        }
        return null;
    }

    @Test
    void createReturnsTheFullDocumentWithServerAnnotationsAndDefaults() {
        Resp r = p.createAction("create1", "\"parameters\":[{\"key\":\"greeting\",\"value\":\"hi\"},{\"key\":\"DB\",\"value\":\"x\",\"init\":true}]");
        assertThat(r.status()).isEqualTo(200);
        JsonNode doc = r.json();
        assertThat(doc.get("namespace").asText()).isEqualTo("guest");
        assertThat(doc.get("name").asText()).isEqualTo("create1");
        assertThat(doc.get("version").asText()).isEqualTo("0.0.1");
        assertThat(doc.get("publish").asBoolean()).isFalse();
        assertThat(doc.get("exec").toString()).isEqualTo("{\"kind\":\"blackbox\",\"image\":\"testaction\",\"binary\":false}");
        assertThat(doc.get("limits").toString()).isEqualTo("{\"timeout\":60000,\"memory\":256,\"logs\":10,\"concurrency\":1}");
        assertThat(annotation(doc, "exec").asText()).isEqualTo("blackbox");
        assertThat(annotation(doc, "provide-api-key").asBoolean()).isFalse();
        assertThat(doc.get("parameters").get(1).toString()).isEqualTo("{\"key\":\"DB\",\"value\":\"x\",\"init\":true}");
        assertThat(doc.get("updated").asLong()).isPositive();
        assertThat(p.call("GET", ACTIONS + "create1", null).json()).isEqualTo(doc);
    }

    @Test
    void createIgnoresBodyNameAndNamespaceAndKeepsAGivenProvideApiKey() {
        Resp r = p.createAction("named", "\"name\":\"other\",\"namespace\":\"whisk.system\","
                + "\"annotations\":[{\"key\":\"provide-api-key\",\"value\":true},{\"key\":\"exec\",\"value\":\"forged\"}]");
        assertThat(r.json().get("name").asText()).isEqualTo("named");
        assertThat(r.json().get("namespace").asText()).isEqualTo("guest");
        assertThat(annotation(r.json(), "provide-api-key").asBoolean()).isTrue();
        assertThat(annotation(r.json(), "exec").asText()).isEqualTo("blackbox");
    }

    @Test
    void existingWithoutOverwriteIs409() {
        p.createAction("dup", "");
        Resp r = p.createAction("dup", "");
        assertThat(r.status()).isEqualTo(409);
        assertThat(r.error()).isEqualTo("resource already exists");
        Resp explicit = p.call("PUT", ACTIONS + "dup?overwrite=false", "{\"exec\":{\"kind\":\"blackbox\",\"image\":\"testaction\"}}");
        assertThat(explicit.status()).isEqualTo(409);
    }

    @Test
    void overwriteMergesBumpsVersionAndKeepsUnsetFields() {
        p.createAction("upd", "\"limits\":{\"memory\":512},\"parameters\":[{\"key\":\"a\",\"value\":1}],"
                + "\"annotations\":[{\"key\":\"keep\",\"value\":1},{\"key\":\"drop\",\"value\":2}]");
        Resp r = p.call("PUT", ACTIONS + "upd?overwrite=true",
                "{\"limits\":{\"timeout\":1000},\"annotations\":[{\"key\":\"new\",\"value\":3}],\"delAnnotations\":[\"drop\"]}");
        assertThat(r.status()).isEqualTo(200);
        JsonNode doc = r.json();
        assertThat(doc.get("version").asText()).isEqualTo("0.0.2");
        assertThat(doc.at("/limits/memory").asInt()).isEqualTo(512);
        assertThat(doc.at("/limits/timeout").asInt()).isEqualTo(1000);
        assertThat(doc.get("parameters").toString()).isEqualTo("[{\"key\":\"a\",\"value\":1}]");
        assertThat(annotation(doc, "keep").asInt()).isEqualTo(1);
        assertThat(annotation(doc, "new").asInt()).isEqualTo(3);
        assertThat(annotation(doc, "drop")).isNull();
        assertThat(annotation(doc, "provide-api-key").asBoolean()).isFalse();
        assertThat(p.call("PUT", ACTIONS + "upd?overwrite=true", "{}").json().get("version").asText()).isEqualTo("0.0.3");
        assertThat(p.call("PUT", ACTIONS + "upd?overwrite=true", "{\"version\":\"2.0.0\"}").json().get("version").asText())
                .isEqualTo("2.0.0");
    }

    @Test
    void overwriteOfAMissingActionCreatesIt() {
        Resp r = p.call("PUT", ACTIONS + "fresh?overwrite=true", "{\"exec\":{\"kind\":\"blackbox\",\"image\":\"testaction\"}}");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("version").asText()).isEqualTo("0.0.1");
    }

    @Test
    void codeIsDetectedAsBinaryAndDroppedWithCodeFalse() {
        p.createAction("coded", "\"exec\":{\"kind\":\"blackbox\",\"image\":\"testaction\",\"code\":\"UEsDBBQ=\",\"main\":\"m\",\"binary\":false}");
        JsonNode full = p.call("GET", ACTIONS + "coded", null).json();
        assertThat(full.at("/exec/code").asText()).isEqualTo("UEsDBBQ=");
        assertThat(full.at("/exec/binary").asBoolean()).isTrue();
        assertThat(full.at("/exec/main").asText()).isEqualTo("m");
        JsonNode slim = p.call("GET", ACTIONS + "coded?code=false", null).json();
        assertThat(slim.get("exec").has("code")).isFalse();
        assertThat(p.call("GET", ACTIONS + "coded?code=maybe", null).status()).isEqualTo(400);
        p.createAction("text", "\"exec\":{\"kind\":\"blackbox\",\"image\":\"testaction\",\"code\":\"not base64!\"}");
        assertThat(p.call("GET", ACTIONS + "text", null).json().at("/exec/binary").asBoolean()).isFalse();
    }

    @Test
    void deleteReturnsTheDeletedActionThen404() {
        JsonNode created = p.createAction("gone", "").json();
        Resp del = p.call("DELETE", ACTIONS + "gone", null);
        assertThat(del.status()).isEqualTo(200);
        assertThat(del.json()).isEqualTo(created);
        Resp again = p.call("DELETE", ACTIONS + "gone", null);
        assertThat(again.status()).isEqualTo(404);
        assertThat(again.error()).isEqualTo("The requested resource does not exist.");
        assertThat(p.call("GET", ACTIONS + "gone", null).status()).isEqualTo(404);
    }

    @Test
    void packagedActionsLiveInTheirOwnCollection() {
        Resp r = p.createAction("pkgx/inner", "");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("namespace").asText()).isEqualTo("guest/pkgx");
        assertThat(r.json().get("name").asText()).isEqualTo("inner");
        assertThat(p.call("GET", ACTIONS + "pkgx/inner", null).status()).isEqualTo(200);
        JsonNode inPackage = p.call("GET", ACTIONS + "pkgx/", null).json();
        assertThat(inPackage).hasSize(1);
        assertThat(inPackage.get(0).get("name").asText()).isEqualTo("inner");
        for (JsonNode a : p.call("GET", "/api/v1/namespaces/_/actions?limit=200", null).json()) {
            assertThat(a.get("namespace").asText()).isEqualTo("guest");
        }
        assertThat(p.call("GET", ACTIONS + "inner", null).status()).isEqualTo(404);
    }

    @Test
    void listIsPaginatedNewestFirstWithSummariesAndCount() {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            names.add("lst/a" + i);
            p.createAction("lst/a" + i, "\"exec\":{\"kind\":\"blackbox\",\"image\":\"testaction\",\"code\":\"secret code\"}");
        }
        JsonNode all = p.call("GET", ACTIONS + "lst/", null).json();
        assertThat(all).hasSize(4);
        JsonNode first = all.get(0);
        assertThat(first.get("name").asText()).isEqualTo("a3");
        assertThat(first.get("exec").toString()).isEqualTo("{\"kind\":\"blackbox\",\"binary\":false}");
        assertThat(first.has("parameters")).isFalse();
        assertThat(first.has("limits") && first.has("annotations") && first.has("version") && first.has("updated")).isTrue();
        JsonNode page = p.call("GET", ACTIONS + "lst/?skip=1&limit=2", null).json();
        assertThat(page).hasSize(2);
        assertThat(page.get(0).get("name").asText()).isEqualTo("a2");
        assertThat(page.get(1).get("name").asText()).isEqualTo("a1");
        assertThat(p.call("GET", ACTIONS + "lst/?count=true", null).json().toString()).isEqualTo("{\"actions\":4}");
        assertThat(p.call("GET", ACTIONS + "lst/?limit=0", null).json()).hasSize(4);
    }

    @Test
    void listRejectsOutOfRangePagination() {
        Resp big = p.call("GET", "/api/v1/namespaces/_/actions?limit=201", null);
        assertThat(big.status()).isEqualTo(400);
        assertThat(big.error()).isEqualTo("The value '201' is not in the range of 0 to 200 for actions.");
        Resp neg = p.call("GET", "/api/v1/namespaces/_/actions?skip=-1", null);
        assertThat(neg.status()).isEqualTo(400);
        assertThat(neg.error()).isEqualTo("The value '-1' is not greater than or equal to 0 for actions.");
        assertThat(p.call("GET", "/api/v1/namespaces/_/actions?limit=-1", null).status()).isEqualTo(400);
        assertThat(p.call("GET", "/api/v1/namespaces/_/actions?limit=abc", null).status()).isEqualTo(400);
        assertThat(p.call("GET", "/api/v1/namespaces/_/actions?count=yes", null).status()).isEqualTo(400);
    }

    @Test
    void entityNamesAreValidated() {
        for (String bad : new String[] {"-leading", "trailing%20", "a%24b", "x".repeat(257)}) {
            Resp r = p.createAction(bad, "");
            assertThat(r.status()).as(bad).isEqualTo(400);
            assertThat(r.error()).isEqualTo("The name of the entity contains illegal characters.");
        }
        assertThat(p.createAction("ok%20name@x.y&z-1", "").status()).isEqualTo(200);
        assertThat(p.call("GET", ACTIONS + "ok%20name@x.y&z-1", null).json().get("name").asText()).isEqualTo("ok name@x.y&z-1");
        assertThat(p.createAction("x".repeat(256), "").status()).isEqualTo(200);
    }

    @Test
    void unsupportedKindsAndMissingImageAre400() {
        Resp node = p.call("PUT", ACTIONS + "nodejs", "{\"exec\":{\"kind\":\"nodejs:20\",\"code\":\"function main(){}\"}}");
        assertThat(node.status()).isEqualTo(400);
        assertThat(node.error()).isEqualTo("The specified runtime 'nodejs:20' is not supported by this platform. Valid values are: blackbox");
        assertThat(p.call("PUT", ACTIONS + "seq", "{\"exec\":{\"kind\":\"sequence\",\"components\":[]}}").error())
                .startsWith("The specified runtime 'sequence' is not supported");
        Resp noImage = p.call("PUT", ACTIONS + "noimage", "{\"exec\":{\"kind\":\"blackbox\"}}");
        assertThat(noImage.status()).isEqualTo(400);
        assertThat(noImage.error()).contains("'image' must be a string");
        Resp noExec = p.call("PUT", ACTIONS + "noexec", "{\"limits\":{}}");
        assertThat(noExec.status()).isEqualTo(400);
        assertThat(noExec.error()).startsWith("The request content was malformed:");
        assertThat(p.call("GET", ACTIONS + "noexec", null).status()).isEqualTo(404);
    }

    @Test
    void limitsAreValidatedWithOpenWhiskMessages() {
        String[][] cases = {
            {"{\"timeout\":99}", "duration 99 milliseconds below allowed threshold of 100 milliseconds"},
            {"{\"timeout\":300001}", "duration 300001 milliseconds exceeds allowed threshold of 300000 milliseconds"},
            {"{\"memory\":127}", "memory 127 MB below allowed threshold of 128 MB"},
            {"{\"memory\":4097}", "memory 4097 MB exceeds allowed threshold of 4096 MB"},
            {"{\"logs\":11}", "log size 11 MB exceeds allowed threshold of 10 MB"},
            {"{\"logs\":-1}", "log size -1 MB below allowed threshold of 0 MB"},
            {"{\"concurrency\":0}", "concurrency 0 below allowed threshold of 1"},
            {"{\"concurrency\":501}", "concurrency 501 exceeds allowed threshold of 500"},
        };
        for (String[] c : cases) {
            Resp r = p.createAction("lim", "\"limits\":" + c[0]);
            assertThat(r.status()).as(c[0]).isEqualTo(400);
            assertThat(r.error()).isEqualTo(c[1]);
        }
        assertThat(p.createAction("lim", "\"limits\":{\"timeout\":\"fast\"}").status()).isEqualTo(400);
        assertThat(p.createAction("lim", "\"limits\":{\"memory\":1.5}").status()).isEqualTo(400);
        assertThat(p.createAction("lim", "\"limits\":[]").status()).isEqualTo(400);
        Resp ok = p.createAction("lim", "\"limits\":{\"timeout\":100,\"memory\":4096,\"logs\":0,\"concurrency\":500}");
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.json().get("limits").toString()).isEqualTo("{\"timeout\":100,\"memory\":4096,\"logs\":0,\"concurrency\":500}");
    }

    @Test
    void malformedDocumentsAre400() {
        String[] bodies = {"", "   ", "{", "[]", "\"text\"", "{\"exec\":{\"kind\":\"blackbox\",\"image\":\"testaction\"}} trailing",
            "{\"a\":1,\"a\":2}", "{\"exec\":{\"kind\":\"blackbox\",\"image\":\"testaction\"},\"parameters\":{}}",
            "{\"exec\":{\"kind\":\"blackbox\",\"image\":\"testaction\"},\"parameters\":[{\"value\":1}]}",
            "{\"exec\":{\"kind\":\"blackbox\",\"image\":\"testaction\"},\"annotations\":[1]}",
            "{\"exec\":{\"kind\":\"blackbox\",\"image\":\"testaction\"},\"version\":\"1.0\"}",
            "{\"exec\":{\"kind\":\"blackbox\",\"image\":\"testaction\"},\"publish\":\"yes\"}",
            "{\"exec\":\"blackbox\"}", "{\"exec\":{\"kind\":\"blackbox\",\"image\":\"testaction\",\"code\":42}}",
            "[".repeat(5000) + "]".repeat(5000)};
        for (String body : bodies) {
            Resp r = p.call("PUT", ACTIONS + "malformed", body);
            assertThat(r.status()).as(body.length() > 80 ? body.substring(0, 80) : body).isEqualTo(400);
            assertThat(r.json().has("code")).isTrue();
        }
        Resp bad = p.call("PUT", ACTIONS + "malformed", "{\"exec\": secretvalue}");
        assertThat(bad.error()).startsWith("The request content was malformed:\ninvalid JSON at line 1").doesNotContain("secretvalue");
        assertThat(p.call("GET", ACTIONS + "malformed", null).status()).isEqualTo(404);
    }

    @Test
    void oversizedDocumentsAre413EvenWhenChunked() {
        int limit = 50 << 20;
        // declared length: refused without reading the body
        String answer = p.raw("PUT " + ACTIONS + "huge HTTP/1.1\r\nHost: x\r\n" + p.authHeader()
                + "Content-Type: application/json\r\nContent-Length: " + (limit + 1L) + "\r\nConnection: close\r\n\r\n{", false);
        assertThat(answer).startsWith("HTTP/1.1 413").contains("Request larger than allowed: " + (limit + 1L) + " > " + limit + " bytes.");
        assertThat(answer.toLowerCase(java.util.Locale.ROOT)).contains("connection: close");
        // chunked: counted while reading
        InputStream endless = new InputStream() {
            long left = limit + 100_000L;

            @Override
            public int read() {
                return left-- > 0 ? 'a' : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (left <= 0) {
                    return -1;
                }
                int n = (int) Math.min(len, left);
                java.util.Arrays.fill(b, off, off + n, (byte) 'a');
                left -= n;
                return n;
            }
        };
        Resp r = p.send(HttpRequest.newBuilder(p.base.resolve(ACTIONS + "huge")).header("Authorization", PlatformFixture.basic(PlatformFixture.GUEST))
                .PUT(HttpRequest.BodyPublishers.ofInputStream(() -> endless)).build());
        assertThat(r.status()).isEqualTo(413);
        assertThat(r.error()).startsWith("Request larger than allowed: ").endsWith(" > " + limit + " bytes.");
        assertThat(p.call("GET", ACTIONS + "huge", null).status()).isEqualTo(404);
    }

    @Test
    void oversizedParametersAre413() {
        String big = "\"parameters\":[{\"key\":\"k\",\"value\":\"" + "v".repeat(1 << 20) + "\"}]";
        Resp r = p.createAction("bigparams", big);
        assertThat(r.status()).isEqualTo(413);
        assertThat(r.error()).matches("Parameters larger than allowed: \\d+ > 1048576 bytes\\.");
        assertThat(p.call("GET", ACTIONS + "bigparams", null).status()).isEqualTo(404);
    }

    @Test
    void truncatedBodiesAre400AndStoreNothing() {
        String head = "PUT " + ACTIONS + "trunc HTTP/1.1\r\nHost: x\r\n" + p.authHeader() + "Content-Type: application/json\r\n";
        String fixed = p.raw(head + "Content-Length: 500\r\n\r\n{\"exec\":{\"kind\":\"blackbox\"", true);
        assertThat(fixed).startsWith("HTTP/1.1 400").contains("truncated");
        String chunked = p.raw(head + "Transfer-Encoding: chunked\r\n\r\n10\r\n{\"exec\":{\"kind\"", true);
        assertThat(chunked).startsWith("HTTP/1.1 400");
        String badFraming = p.raw(head + "Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n", true);
        assertThat(badFraming).startsWith("HTTP/1.1 400");
        assertThat(p.call("GET", ACTIONS + "trunc", null).status()).isEqualTo(404);
    }
}
