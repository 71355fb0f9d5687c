package org.sesemi.platform.invoker;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.sesemi.platform.testaction.TestAction;

/** Builds images, actions and invocations around the {@link TestAction} process for invoker tests. */
final class TestActions {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String IMAGE = "test-action";

    private TestActions() {}

    /**
     * The TestAction as a real child JVM, started with flags that keep its start-up cheap, from a private copy of its
     * class so that a concurrent rebuild of this module does not break it.
     */
    static ImageRegistry.Image testActionImage() {
        String java = ProcessHandle.current().info().command().orElse("java");
        return new ImageRegistry.Image(List.of(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-XX:-UsePerfData", "-Xmx64m",
                "-Xshare:auto", "-cp", TestAction.isolatedClasspath(), TestAction.class.getName(), ImageRegistry.PORT),
                Map.of("TEST_ACTION_TAG", "port-{port}"));
    }

    static ImageRegistry registry() {
        return ImageRegistry.of(Map.of(IMAGE, testActionImage(),
                "exits-at-once", new ImageRegistry.Image(List.of(ProcessHandle.current().info().command().orElse("java"),
                        "-version"), Map.of()),
                "never-listens", new ImageRegistry.Image(List.of("sleep", "30"), Map.of())));
    }

    static ActionLimits limits(int timeoutMs, int memoryMb, int concurrency) {
        return new ActionLimits(timeoutMs, memoryMb, 1, concurrency);
    }

    static ActionSpec action(String namespace, String name, long revision, ActionLimits limits) {
        return action(namespace, name, revision, limits, "code", IMAGE);
    }

    static ActionSpec action(String namespace, String name, long revision, ActionLimits limits, String code, String image) {
        ObjectNode initEnv = JSON.createObjectNode().put("INIT_PARAM", "secret-ish").put("NUMBER", 7);
        ObjectNode defaults = JSON.createObjectNode().put("fromDefault", "d").put("overridden", "default");
        return new ActionSpec(namespace, namespace + "/" + name, name, "0.0.1", revision,
                new ActionExec("blackbox", Optional.of(image), Optional.of(code), Optional.empty(), false), limits, initEnv,
                defaults);
    }

    static Invocation invocation(ActionSpec action, String invocationNamespace, ObjectNode params) {
        return new Invocation(newId(), "subject", invocationNamespace, action, params, System.currentTimeMillis(), Optional.empty(),
                "tx" + newId().substring(0, 30));
    }

    static Invocation invocation(ActionSpec action, ObjectNode params) {
        return invocation(action, action.namespace(), params);
    }

    static ObjectNode params() {
        return JSON.createObjectNode();
    }

    static String newId() {
        byte[] bytes = new byte[16];
        ThreadLocalRandom.current().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
