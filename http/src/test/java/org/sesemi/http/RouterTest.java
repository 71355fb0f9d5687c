package org.sesemi.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RouterTest {
    private static final Handler H = r -> Response.empty(204);

    @Test
    void literalsBeforeParametersInDeclarationOrderAndTrailingSlashes() {
        Router r = Router.builder().ignoreTrailingSlash()
                .get("/a/{x}/", H).get("/a/special", H).get("/a/{x}", H).put("/a/{x}", H).post("/a/{x}/{y}", H).build();
        assertThat(r.match("GET", "/a/special").template()).isEqualTo("/a/special");
        assertThat(r.match("GET", "/a/other").params()).containsEntry("x", "other");
        assertThat(r.match("GET", "/a/p/").template()).isEqualTo("/a/{x}/");
        Router.Match stripped = r.match("POST", "/a/p/q/");
        assertThat(stripped.template()).isEqualTo("/a/{x}/{y}");
        assertThat(stripped.trailingSlash()).isTrue();
        // a template with a trailing slash matches the path for another method: 405, not the stripped route
        assertThatThrownBy(() -> r.match("PUT", "/a/p/")).isInstanceOfSatisfying(HttpException.class,
                e -> assertThat(e.allowHeader()).isEqualTo("GET"));
        assertThatThrownBy(() -> r.match("DELETE", "/a/p")).isInstanceOfSatisfying(HttpException.class,
                e -> assertThat(e.allowHeader()).isEqualTo("GET, PUT"));
        assertThatThrownBy(() -> r.match("GET", "/b")).isInstanceOfSatisfying(HttpException.class,
                e -> assertThat(e.kind()).isEqualTo(HttpException.Kind.NOT_FOUND));
        assertThatThrownBy(() -> r.match("GET", "/a//")).isInstanceOf(HttpException.class);
    }

    @Test
    void decoders() {
        Router strict = Router.builder().decoder(Router.noEscapes()).get("/m/{id}", H).build();
        assertThatThrownBy(() -> strict.match("GET", "/m/%41")).isInstanceOfSatisfying(HttpException.class,
                e -> assertThat(e.kind()).isEqualTo(HttpException.Kind.MALFORMED_PATH));
        Router decoding = Router.builder().get("/m/{id}", H).build();
        assertThatThrownBy(() -> decoding.match("GET", "/m/%zz")).isInstanceOfSatisfying(HttpException.class,
                e -> assertThat(e.kind()).isEqualTo(HttpException.Kind.MALFORMED_PATH));
        assertThat(decoding.match("GET", "/m/%C3%A9").params()).containsEntry("id", "é");
        assertThatThrownBy(() -> Router.builder().get("/x", H).get("/x", H)).isInstanceOf(IllegalArgumentException.class);
    }
}
