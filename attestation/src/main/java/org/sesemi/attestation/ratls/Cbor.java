package org.sesemi.attestation.ratls;

import java.io.ByteArrayOutputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sesemi.attestation.AttestationException;
import org.sesemi.attestation.AttestationException.Reason;

/**
 * The strict CBOR subset (RFC 8949) that TCG DICE RA-TLS evidence uses: unsigned/negative integers, byte and text
 * strings, arrays, maps and tags, definite lengths only. Written by hand because the format is tiny and the verifier
 * must return exact byte strings (the DICE claims are hashed as received); a general CBOR library would add a large
 * untrusted-input surface for three constructs. Values decode to {@link Long}, {@code byte[]}, {@link String},
 * {@link List}, {@link Map} and {@link Tagged}.
 */
final class Cbor {
    static final int MAX_DEPTH = 16;
    static final int MAX_ITEMS = 4096;

    /** A tagged value (major type 6). */
    record Tagged(long tag, Object value) {}

    private final byte[] in;
    private int pos;
    private int items;

    private Cbor(byte[] in) {
        this.in = in;
    }

    /** Decodes exactly one item that must span all of {@code data}. */
    static Object decode(byte[] data) {
        Cbor c = new Cbor(data);
        Object v = c.item(0);
        if (c.pos != data.length) {
            throw bad("trailing bytes after CBOR item");
        }
        return v;
    }

    private Object item(int depth) {
        if (depth > MAX_DEPTH) {
            throw bad("CBOR nested too deeply");
        }
        if (++items > MAX_ITEMS) {
            throw bad("too many CBOR items");
        }
        int ib = u8();
        int major = ib >>> 5;
        int info = ib & 0x1F;
        long arg = argument(info);
        return switch (major) {
            case 0 -> nonNegative(arg);
            case 1 -> -1 - nonNegative(arg);
            case 2 -> bytes(arg);
            case 3 -> text(arg);
            case 4 -> {
                int n = count(arg);
                List<Object> list = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    list.add(item(depth + 1));
                }
                yield list;
            }
            case 5 -> {
                int n = count(arg);
                Map<Object, Object> map = new LinkedHashMap<>();
                for (int i = 0; i < n; i++) {
                    Object k = item(depth + 1);
                    if (k instanceof byte[] || k instanceof List || k instanceof Map || k instanceof Tagged) {
                        throw bad("CBOR map key must be an integer or text");
                    }
                    if (map.put(k, item(depth + 1)) != null) {
                        throw bad("duplicate CBOR map key");
                    }
                }
                yield map;
            }
            case 6 -> new Tagged(arg, item(depth + 1));
            default -> throw bad("unsupported CBOR simple/float value");
        };
    }

    private long argument(int info) {
        if (info < 24) {
            return info;
        }
        int n = switch (info) {
            case 24 -> 1;
            case 25 -> 2;
            case 26 -> 4;
            case 27 -> 8;
            default -> throw bad("indefinite or reserved CBOR length");
        };
        long v = 0;
        for (int i = 0; i < n; i++) {
            v = (v << 8) | u8();
        }
        return v;
    }

    private static long nonNegative(long v) {
        if (v < 0) {
            throw bad("CBOR integer out of range");
        }
        return v;
    }

    private int count(long n) {
        if (n < 0 || n > in.length - pos) {
            throw bad("CBOR container longer than its input");
        }
        return (int) n;
    }

    private byte[] bytes(long n) {
        int len = count(n);
        byte[] out = java.util.Arrays.copyOfRange(in, pos, pos + len);
        pos += len;
        return out;
    }

    private String text(long n) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(bytes(n))).toString();
        } catch (CharacterCodingException e) {
            throw bad("CBOR text is not UTF-8");
        }
    }

    private int u8() {
        if (pos >= in.length) {
            throw bad("truncated CBOR");
        }
        return in[pos++] & 0xFF;
    }

    private static AttestationException bad(String msg) {
        return new AttestationException(Reason.MALFORMED, msg);
    }

    // ---- encoding (for our own evidence) -------------------------------------------------------------------------

    static final class Writer {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Writer head(int major, long value) {
            int m = major << 5;
            if (value < 24) {
                out.write(m | (int) value);
            } else if (value < 0x100) {
                out.write(m | 24);
                out.write((int) value);
            } else if (value < 0x10000) {
                out.write(m | 25);
                out.write((int) (value >>> 8));
                out.write((int) value);
            } else if (value < 0x100000000L) {
                out.write(m | 26);
                for (int s = 24; s >= 0; s -= 8) {
                    out.write((int) (value >>> s));
                }
            } else {
                out.write(m | 27);
                for (int s = 56; s >= 0; s -= 8) {
                    out.write((int) (value >>> s));
                }
            }
            return this;
        }

        Writer uint(long v) {
            return head(0, v);
        }

        Writer bytes(byte[] b) {
            head(2, b.length);
            out.writeBytes(b);
            return this;
        }

        Writer text(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            head(3, b.length);
            out.writeBytes(b);
            return this;
        }

        Writer array(int n) {
            return head(4, n);
        }

        Writer map(int n) {
            return head(5, n);
        }

        Writer tag(long t) {
            return head(6, t);
        }

        byte[] toByteArray() {
            return out.toByteArray();
        }
    }
}
