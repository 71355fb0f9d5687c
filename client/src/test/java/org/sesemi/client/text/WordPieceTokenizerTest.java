package org.sesemi.client.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class WordPieceTokenizerTest {
    static final String JSON = """
            {"model":{"type":"WordPiece","unk_token":"[UNK]","max_input_chars_per_word":10,
             "vocab":{"[PAD]":0,"[UNK]":100,"[CLS]":101,"[SEP]":102,"hello":7592,"world":2088,",":1010,"!":999,
                      "un":4895,"##aff":10354,"##able":3085,"cafe":7668}}}
            """;

    static WordPieceTokenizer tokenizer() throws IOException {
        return WordPieceTokenizer.fromJson(new ByteArrayInputStream(JSON.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void lowercasesSplitsPunctuationAndMatchesLongestPieces() throws IOException {
        WordPieceTokenizer t = tokenizer();
        assertThat(t.encode("Hello, World!", 128)).containsExactly(101, 7592, 1010, 2088, 999, 102);
        assertThat(t.encode("unaffable", 128)).containsExactly(101, 4895, 10354, 3085, 102);
        assertThat(t.encode("  Café\tHELLO\n", 128)).containsExactly(101, 7668, 7592, 102);
    }

    @Test
    void unknownAndOverlongWordsBecomeUnk() throws IOException {
        WordPieceTokenizer t = tokenizer();
        assertThat(t.encode("hellox", 128)).containsExactly(101, 100, 102);
        assertThat(t.encode("helloworldhello", 128)).containsExactly(101, 100, 102);
        assertThat(t.encode("", 128)).containsExactly(101, 102);
    }

    @Test
    void truncatesKeepingTheSeparator() throws IOException {
        assertThat(tokenizer().encode("hello world hello world", 4)).containsExactly(101, 7592, 2088, 102);
    }

    @Test
    void rejectsOtherTokenizers() {
        assertThatThrownBy(() -> WordPieceTokenizer.fromJson(new ByteArrayInputStream("{\"model\":{\"type\":\"BPE\"}}".getBytes(StandardCharsets.UTF_8))))
                .isInstanceOf(IOException.class).hasMessageContaining("not a WordPiece");
    }
}
