package org.sesemi.models.workload;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.sesemi.models.workload.TraceFormatException.Reason;

/**
 * The trace files' CSV dialect: one header line, comma-separated, no quoting (the published files never quote, so
 * a quote is refused rather than half-interpreted), UTF-8, LF or CRLF, blank lines ignored. Reads within
 * {@link TraceLimits}: file size, line length. Small enough that a CSV library would add more than it saves.
 */
final class CsvTable {
    final String file;
    final List<String> header;
    final List<String[]> rows = new ArrayList<>();
    final List<Long> lineNumbers = new ArrayList<>();

    private CsvTable(String file, List<String> header) {
        this.file = file;
        this.header = header;
    }

    static CsvTable read(Path path, TraceLimits limits) throws IOException {
        checkSize(path, limits);
        try (InputStream in = Files.newInputStream(path)) {
            return read(path.getFileName().toString(), in, limits);
        }
    }

    /** Receives each data row as it is read, so large files need not be held as strings. */
    interface RowSink {
        void row(CsvTable table, String[] cells, long line) throws TraceFormatException;
    }

    static CsvTable read(String name, InputStream in, TraceLimits limits) throws IOException {
        return read(name, in, limits, (t, cells, line) -> {
            t.rows.add(cells);
            t.lineNumbers.add(line);
        });
    }

    static CsvTable read(Path path, TraceLimits limits, RowSink sink) throws IOException {
        checkSize(path, limits);
        try (InputStream in = Files.newInputStream(path)) {
            return read(path.getFileName().toString(), in, limits, sink);
        }
    }

    private static void checkSize(Path path, TraceLimits limits) throws IOException {
        if (Files.size(path) > limits.maxFileBytes()) {
            throw new TraceFormatException(Reason.TOO_LARGE, path.getFileName().toString(), 0,
                    "file is larger than the limit of " + limits.maxFileBytes() + " bytes");
        }
    }

    static CsvTable read(String name, InputStream in, TraceLimits limits, RowSink sink) throws IOException {
        Reader r = new InputStreamReader(in, StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT));
        CsvTable table = null;
        StringBuilder line = new StringBuilder();
        long lineNo = 0;
        long bytes = 0;
        int c;
        boolean eof = false;
        try {
            while (!eof) {
                line.setLength(0);
                while ((c = r.read()) != -1 && c != '\n') {
                    if (line.length() >= limits.maxLineChars()) {
                        throw new TraceFormatException(Reason.TOO_LARGE, name, lineNo + 1,
                                "line longer than " + limits.maxLineChars() + " characters");
                    }
                    line.append((char) c);
                }
                eof = c == -1;
                lineNo++;
                bytes += line.length() + 1;
                if (bytes > limits.maxFileBytes()) {
                    throw new TraceFormatException(Reason.TOO_LARGE, name, lineNo,
                            "input is larger than the limit of " + limits.maxFileBytes() + " bytes");
                }
                if (!line.isEmpty() && line.charAt(line.length() - 1) == '\r') {
                    line.setLength(line.length() - 1);
                }
                if (line.toString().isBlank()) {
                    continue;
                }
                String[] cells = split(line.toString(), name, lineNo);
                if (table == null) {
                    table = new CsvTable(name, List.of(cells));
                } else {
                    if (cells.length != table.header.size()) {
                        throw new TraceFormatException(Reason.BAD_ROW, name, lineNo, "expected " + table.header.size()
                                + " columns as in the header, found " + cells.length);
                    }
                    sink.row(table, cells, lineNo);
                }
            }
        } catch (CharacterCodingException e) {
            throw new TraceFormatException(Reason.BAD_ROW, name, lineNo + 1, "not valid UTF-8");
        }
        if (table == null) {
            throw new TraceFormatException(Reason.EMPTY, name, 0, "no header line");
        }
        return table;
    }

    private static String[] split(String line, String name, long lineNo) throws TraceFormatException {
        if (line.indexOf('"') >= 0) {
            throw new TraceFormatException(Reason.BAD_ROW, name, lineNo, "quoted fields are not part of the trace format");
        }
        String[] cells = line.split(",", -1);
        for (int i = 0; i < cells.length; i++) {
            cells[i] = cells[i].strip();
        }
        return cells;
    }

    int column(String name) {
        return header.indexOf(name);
    }

    int require(String name) throws TraceFormatException {
        int i = column(name);
        if (i < 0) {
            throw new TraceFormatException(Reason.BAD_HEADER, file, 1, "missing column " + name + " (header: "
                    + String.join(",", header.subList(0, Math.min(header.size(), 8)))
                    + (header.size() > 8 ? ",..." : "") + ")");
        }
        return i;
    }

    String id(int row, int col, String what) throws TraceFormatException {
        return id(rows.get(row), lineNumbers.get(row), col, what);
    }

    String id(String[] cells, long line, int col, String what) throws TraceFormatException {
        String v = cells[col];
        if (v.isEmpty()) {
            throw new TraceFormatException(Reason.BAD_ROW, file, line, "empty " + what);
        }
        return v;
    }

    long count(int row, int col, long max) throws TraceFormatException {
        return count(rows.get(row), lineNumbers.get(row), col, max);
    }

    long count(String[] cells, long line, int col, long max) throws TraceFormatException {
        String v = cells[col];
        try {
            long n = Long.parseLong(v);
            if (n < 0 || n > max) {
                throw new TraceFormatException(Reason.BAD_NUMBER, file, line, "count " + n
                        + " in column " + header.get(col) + " is outside 0.." + max);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new TraceFormatException(Reason.BAD_NUMBER, file, line, "column " + header.get(col)
                    + " is not a whole number: " + abbreviate(v));
        }
    }

    double measure(int row, int col) throws TraceFormatException {
        String v = rows.get(row)[col];
        try {
            double d = Double.parseDouble(v);
            if (!Double.isFinite(d) || d < 0 || v.startsWith("0x") || v.endsWith("d") || v.endsWith("f")) {
                throw new NumberFormatException();
            }
            return d;
        } catch (NumberFormatException e) {
            throw new TraceFormatException(Reason.BAD_NUMBER, file, lineNumbers.get(row), "column " + header.get(col)
                    + " is not a non-negative number: " + abbreviate(v));
        }
    }

    double[] measures(int row, int[] cols) throws TraceFormatException {
        double[] out = new double[cols.length];
        for (int i = 0; i < cols.length; i++) {
            out[i] = measure(row, cols[i]);
        }
        return out;
    }

    int[] requireAll(String... names) throws TraceFormatException {
        int[] cols = new int[names.length];
        for (int i = 0; i < names.length; i++) {
            cols[i] = require(names[i]);
        }
        return cols;
    }

    static String abbreviate(String v) {
        return v.length() <= 24 ? "'" + v + "'" : "'" + v.substring(0, 24) + "...'";
    }

    @Override
    public String toString() {
        return file + " " + Arrays.toString(header.toArray());
    }
}
