package org.sesemi.protocol.action;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

class RunBodyTest {
    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void theValueIsHandedOnAsTheBytesThatWereReceived() throws Exception {
        String env = "{ \"model\" : \"m\",\n \"payload\":\"QUJD\\u0044\" }";
        byte[] body = b("{\"activation_id\":\"x\",\"value\":" + env + ",\"deadline\":\"1\",\"nested\":{\"a\":[1,{\"b\":\"}\"}]}}");
        RunBody.TopLevel t = RunBody.read(body);
        assertThat(t.valueIsObject()).isTrue();
        assertThat(t.hasInit()).isFalse();
        assertThat(new String(t.value().copyOf(body), StandardCharsets.UTF_8)).isEqualTo(env);
    }

    @Property(tries = 200)
    void anyValueSpanIsExactlyTheMembersJson(@ForAll @AlphaChars @StringLength(max = 30) String s, @ForAll boolean before) throws Exception {
        String value = "{\"s\":\"" + s + "\",\"n\":[1,2,{\"q\":\"\\\"}\"}]}";
        String body = before ? "{\"x\":1,\"value\":" + value + "}" : "{\"value\":" + value + ",\"x\":[\"{\"]}";
        RunBody.TopLevel t = RunBody.read(b(body));
        assertThat(new String(t.value().copyOf(b(body)), StandardCharsets.UTF_8)).isEqualTo(value);
    }

    @Test
    void knativeBodiesAreTheEnvelopeItselfOrAskForInit() throws Exception {
        RunBody.TopLevel t = RunBody.read(b("{\"model\":\"m\",\"payload\":\"x\"}"));
        assertThat(t.value()).isNull();
        assertThat(RunBody.read(b("{\"init\":{}}")).hasInit()).isTrue();
        assertThat(RunBody.read(b("{\"value\":\"text\"}")).valueIsObject()).isFalse();
    }

    @Test
    void badBodiesAreRefusedWithFixedPhrases() throws Exception {
        assertThatThrownBy(() -> RunBody.read(b("[1]"))).isInstanceOf(RunBody.NotAnObject.class).hasMessage("");
        assertThatThrownBy(() -> RunBody.read(b(""))).isInstanceOf(RunBody.NotAnObject.class).hasMessage("");
        assertThatThrownBy(() -> RunBody.read(b("{\"value\":{},\"value\":{}}"))).hasMessage(" (a duplicate field)");
        assertThatThrownBy(() -> RunBody.read(b("{\"value\":{\"a\":1,\"a\":2}}"))).as("at any depth").hasMessage(" (a duplicate field)");
        assertThatThrownBy(() -> RunBody.read(b("{\"value\":{}} x"))).hasMessage(" (trailing content after the JSON value)");
        assertThatThrownBy(() -> RunBody.read(b("{\"value\":{}}{}"))).hasMessage(" (trailing content after the JSON value)");
        assertThatThrownBy(() -> RunBody.read(b("{\"value\":{\"secret-looking\":"))).hasMessage(" (invalid JSON)");
        String deep = "[".repeat(RunBody.MAX_DEPTH) + "]".repeat(RunBody.MAX_DEPTH);
        assertThatThrownBy(() -> RunBody.read(b("{\"x\":" + deep + "}"))).hasMessage(" (nested deeper than 1001 levels)");
        String fits = "[".repeat(RunBody.MAX_DEPTH - 1) + "]".repeat(RunBody.MAX_DEPTH - 1);
        assertThat(RunBody.read(b("{\"x\":" + fits + "}")).value()).isNull();
    }

    @Test
    void wrapIsTheOpenWhiskRunBody() throws Exception {
        byte[] env = b("{\"model\":\"m\"}");
        byte[] body = RunBody.wrap(env);
        assertThat(new String(body, StandardCharsets.UTF_8)).isEqualTo("{\"value\":{\"model\":\"m\"}}");
        assertThat(RunBody.read(body).value().copyOf(body)).isEqualTo(env);
    }
}
