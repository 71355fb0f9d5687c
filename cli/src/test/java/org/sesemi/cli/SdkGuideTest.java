package org.sesemi.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code docs/sdk.md} quotes {@link SdkExamples} verbatim: every {@code <!-- sdk:NAME -->} Java block of the doc
 * equals the code between {@code // [sdk:NAME]} and {@code // [/sdk:NAME]} (indentation removed), and every
 * example is quoted. So the guide shows only code that compiles and that {@code SdkGuideIT} runs.
 */
class SdkGuideTest {
    private static final Path DOC = Path.of(System.getProperty("sesemi.docs", "../docs"), "sdk.md");
    private static final Path SOURCE = Path.of("src/test/java/org/sesemi/cli/SdkExamples.java");

    static Map<String, String> sourceSnippets(String source) {
        Map<String, String> m = new LinkedHashMap<>();
        Matcher x = Pattern.compile("(?m)^[ \\t]*// \\[sdk:([a-z-]+)]\\n(.*?)^[ \\t]*// \\[/sdk:\\1]", Pattern.DOTALL).matcher(source);
        while (x.find()) {
            m.put(x.group(1), dedent(x.group(2)));
        }
        return m;
    }

    static Map<String, String> docSnippets(String doc) {
        Map<String, String> m = new LinkedHashMap<>();
        Matcher x = Pattern.compile("(?m)^<!-- sdk:([a-z-]+) -->\\n```java\\n(.*?)^```", Pattern.DOTALL).matcher(doc);
        while (x.find()) {
            m.put(x.group(1), x.group(2));
        }
        return m;
    }

    static String dedent(String block) {
        List<String> lines = block.lines().toList();
        int indent = lines.stream().filter(l -> !l.isBlank()).mapToInt(l -> l.length() - l.stripLeading().length()).min().orElse(0);
        StringBuilder b = new StringBuilder();
        lines.forEach(l -> b.append(l.isBlank() ? "" : l.substring(indent)).append('\n'));
        return b.toString();
    }

    @Test
    void theGuideQuotesEveryCompiledExampleVerbatim() throws IOException {
        Map<String, String> src = sourceSnippets(Files.readString(SOURCE));
        Map<String, String> doc = docSnippets(Files.readString(DOC));
        assertThat(src).as("examples in " + SOURCE).hasSizeGreaterThanOrEqualTo(9);
        assertThat(doc.keySet()).as("snippets quoted in " + DOC).containsExactlyInAnyOrderElementsOf(src.keySet());
        src.forEach((name, code) -> assertThat(doc.get(name)).as("docs/sdk.md snippet '" + name + "' must equal SdkExamples").isEqualTo(code));
    }

    @Test
    void aChangedSnippetIsNoticed() {
        String source = "class A {\n    // [sdk:one]\n    int x = 1;\n    // [/sdk:one]\n}\n";
        assertThat(sourceSnippets(source)).containsEntry("one", "int x = 1;\n");
        assertThat(docSnippets("<!-- sdk:one -->\n```java\nint x = 2;\n```\n")).containsEntry("one", "int x = 2;\n")
                .isNotEqualTo(sourceSnippets(source));
    }
}
