package org.sesemi.platform.invoker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** An image's command gets the container's port and memory; its environment the port. */
class ImageRegistryTest {
    @Test
    void fillsInPortAndMemory() {
        var image = new ImageRegistry.Image(List.of("java", "-XX:MaxRAM={memory}m", "serve", "--port", "{port}"), Map.of("PORT", "{port}"));
        assertThat(image.commandFor(8123, 256)).containsExactly("java", "-XX:MaxRAM=256m", "serve", "--port", "8123");
        assertThat(image.commandFor(8123)).containsExactly("java", "-XX:MaxRAM={memory}m", "serve", "--port", "8123");
        assertThat(image.envFor(8123)).containsExactly(Map.entry("PORT", "8123"));
        assertThat(ContainerLauncher.PROCESSES.launch(image, 9000, 512, Map.of()).command()).contains("-XX:MaxRAM=512m", "9000");
    }
}
