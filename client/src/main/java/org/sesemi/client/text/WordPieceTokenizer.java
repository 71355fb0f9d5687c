package org.sesemi.client.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * BERT's uncased WordPiece tokenizer, read from a Hugging Face {@code tokenizer.json} whose model is
 * {@code WordPiece} with the {@code BertNormalizer} (lowercase, accents stripped) and {@code BertPreTokenizer}
 * (split on whitespace and punctuation). Produces {@code [CLS] tokens [SEP]} ids for single sentences.
 * Immutable and thread-safe.
 */
public final class WordPieceTokenizer {
    private final Map<String, Integer> vocab;
    private final int cls;
    private final int sep;
    private final int unk;
    private final int maxWordChars;

    private WordPieceTokenizer(Map<String, Integer> vocab, String unkToken, int maxWordChars) {
        this.vocab = Map.copyOf(vocab);
        this.cls = id(vocab, "[CLS]");
        this.sep = id(vocab, "[SEP]");
        this.unk = id(vocab, unkToken);
        this.maxWordChars = maxWordChars;
    }

    /** Reads a {@code tokenizer.json}; fails with a clear message if it is not a WordPiece tokenizer. */
    public static WordPieceTokenizer fromJson(InputStream tokenizerJson) throws IOException {
        JsonNode model = new ObjectMapper().readTree(tokenizerJson).path("model");
        if (!"WordPiece".equals(model.path("type").asText())) {
            throw new IOException("not a WordPiece tokenizer.json (model.type = '" + model.path("type").asText() + "')");
        }
        Map<String, Integer> vocab = new HashMap<>();
        model.path("vocab").fields().forEachRemaining(e -> vocab.put(e.getKey(), e.getValue().asInt()));
        return new WordPieceTokenizer(vocab, model.path("unk_token").asText("[UNK]"), model.path("max_input_chars_per_word").asInt(100));
    }

    /** Token ids of one sentence, {@code [CLS] ... [SEP]}, truncated to {@code maxLength} ids in total. */
    public long[] encode(String text, int maxLength) {
        List<Integer> ids = new ArrayList<>();
        ids.add(cls);
        for (String word : preTokenize(normalize(text))) {
            wordPiece(word, ids);
        }
        if (ids.size() > maxLength - 1) {
            ids = ids.subList(0, maxLength - 1);
        }
        ids.add(sep);
        return ids.stream().mapToLong(Integer::longValue).toArray();
    }

    private static String normalize(String text) {
        String lower = text.toLowerCase(java.util.Locale.ROOT);
        String decomposed = Normalizer.normalize(lower, Normalizer.Form.NFD);
        StringBuilder out = new StringBuilder(decomposed.length());
        decomposed.codePoints().forEach(cp -> {
            int type = Character.getType(cp);
            if (type == Character.NON_SPACING_MARK || cp == 0 || cp == 0xfffd || (Character.isISOControl(cp) && !Character.isWhitespace(cp))) {
                return;
            }
            out.appendCodePoint(Character.isWhitespace(cp) ? ' ' : cp);
        });
        return out.toString();
    }

    private static List<String> preTokenize(String text) {
        List<String> words = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        text.codePoints().forEach(cp -> {
            if (cp == ' ') {
                flush(cur, words);
            } else if (isPunctuation(cp)) {
                flush(cur, words);
                words.add(new String(Character.toChars(cp)));
            } else {
                cur.appendCodePoint(cp);
            }
        });
        flush(cur, words);
        return words;
    }

    private static void flush(StringBuilder cur, List<String> words) {
        if (!cur.isEmpty()) {
            words.add(cur.toString());
            cur.setLength(0);
        }
    }

    private static boolean isPunctuation(int cp) {
        if ((cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126)) {
            return true;
        }
        int t = Character.getType(cp);
        return t == Character.CONNECTOR_PUNCTUATION || t == Character.DASH_PUNCTUATION || t == Character.START_PUNCTUATION
                || t == Character.END_PUNCTUATION || t == Character.INITIAL_QUOTE_PUNCTUATION || t == Character.FINAL_QUOTE_PUNCTUATION
                || t == Character.OTHER_PUNCTUATION;
    }

    /** Greedy longest-match-first; a word with any unmatched piece becomes one unknown token. */
    private void wordPiece(String word, List<Integer> out) {
        if (word.codePointCount(0, word.length()) > maxWordChars) {
            out.add(unk);
            return;
        }
        List<Integer> pieces = new ArrayList<>();
        int start = 0;
        while (start < word.length()) {
            int end = word.length();
            Integer match = null;
            while (start < end) {
                String piece = (start > 0 ? "##" : "") + word.substring(start, end);
                match = vocab.get(piece);
                if (match != null) {
                    break;
                }
                end = word.offsetByCodePoints(end, -1);
            }
            if (match == null) {
                out.add(unk);
                return;
            }
            pieces.add(match);
            start = end;
        }
        out.addAll(pieces);
    }

    private static int id(Map<String, Integer> vocab, String token) {
        Integer id = vocab.get(token);
        if (id == null) {
            throw new IllegalArgumentException("tokenizer vocabulary lacks " + token);
        }
        return id;
    }
}
