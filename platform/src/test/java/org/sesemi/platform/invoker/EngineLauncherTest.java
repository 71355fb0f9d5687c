package org.sesemi.platform.invoker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The engine command a container launch becomes (the IT in module cli runs it with a real engine). */
class EngineLauncherTest {
    private static final ImageRegistry.Image IMAGE = new ImageRegistry.Image(
            List.of("localhost/sesemi/semirt:latest", "--bind", "127.0.0.1", "--port", ImageRegistry.PORT),
            Map.of("__OW_ALLOW_CONCURRENT", "true", "SELF", "http://127.0.0.1:{port}"));

    @Test
    void runsTheImageWithTheMemoryLimitTheHostNetworkAndVariablesPassedByName() {
        EngineLauncher launcher = new EngineLauncher("podman", List.of(Path.of("/srv/models")), "0:0", Map.of("SESEMI_TEE_DIR", "/srv/tee"));
        ContainerLauncher.Launch launch = launcher.launch(IMAGE, 41000, 512, Map.of("__OW_API_HOST", "http://127.0.0.1:3233"));
        List<String> argv = launch.command();

        assertThat(argv.subList(0, 3)).containsExactly("podman", "run", "--rm");
        assertThat(String.join(" ", argv)).contains("--memory 512m --memory-swap 512m", "--network host",
                "--volume /srv/models:/srv/models", "--user 0:0", "--label org.sesemi.invoker=" + ProcessHandle.current().pid());
        assertThat(argv.get(argv.indexOf("--name") + 1)).startsWith("sesemi-" + ProcessHandle.current().pid() + "-");
        // The image reference, then the entry point's arguments with the port filled in, last.
        assertThat(argv.subList(argv.size() - 5, argv.size()))
                .containsExactly("localhost/sesemi/semirt:latest", "--bind", "127.0.0.1", "--port", "41000");
        // Variables go by name only: their values are in the engine client's environment, not in the argument list.
        assertThat(argv).contains("__OW_ALLOW_CONCURRENT", "SELF", "SESEMI_TEE_DIR", "__OW_API_HOST")
                .noneMatch(a -> a.contains("3233") || a.contains("/srv/tee") || a.contains("41000/") || a.equals("true"));
        assertThat(launch.environment()).containsEntry("SELF", "http://127.0.0.1:41000").containsEntry("SESEMI_TEE_DIR", "/srv/tee")
                .containsEntry("__OW_API_HOST", "http://127.0.0.1:3233").containsEntry("__OW_ALLOW_CONCURRENT", "true");

        ContainerLauncher.Launch second = launcher.launch(IMAGE, 41001, 256, Map.of());
        assertThat(second.command().get(second.command().indexOf("--name") + 1)).isNotEqualTo(argv.get(argv.indexOf("--name") + 1));
    }

    @Test
    void processesRunTheImageCommandItself() {
        ContainerLauncher.Launch launch = ContainerLauncher.PROCESSES.launch(
                new ImageRegistry.Image(List.of("runtime", "--port", ImageRegistry.PORT), Map.of("A", "{port}")), 42000, 512, Map.of("B", "b"));
        assertThat(launch.command()).containsExactly("runtime", "--port", "42000");
        assertThat(launch.environment()).containsOnly(Map.entry("A", "42000"), Map.entry("B", "b"));
    }

    @Test
    void aMountPathTheEngineCannotParseIsRefused() {
        assertThatThrownBy(() -> new EngineLauncher("docker", List.of(Path.of("/a:b")), "", Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("/a:b");
    }
}
