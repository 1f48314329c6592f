package dev.synport.digest;

import dev.synport.ByteWords;
import dev.synport.postgres.TargetColumn;
import dev.synport.postgres.TargetTable;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A 64-bit hash of one row given as a line of PostgreSQL's COPY text format, the same for the
 * line the port writes and the line PostgreSQL gives back for the stored row. Escapes are
 * undone first (PostgreSQL escapes some control characters the port sends raw), and values
 * whose stored spelling differs from the written one are compared in a canonical form:
 * fixed-length text without its padding, real and double as their binary value, numeric
 * without trailing zeros, JSON by {@link JsonText#canonical}. Summed over a table, these
 * hashes give a checksum that does not depend on the order rows are read in. Not thread-safe:
 * each reader has its own.
 */
public final class RowHasher {
    /** How one field of the line is compared. */
    public enum Canon {
        /** Not compared (a column the target does not store as written). */
        SKIP,
        /** Byte for byte. */
        EXACT,
        /** {@code character(n)}: PostgreSQL pads the value with spaces. */
        PADDED,
        REAL,
        DOUBLE,
        NUMERIC,
        JSON;

        /** How a value written into {@code column} is compared. */
        public static Canon of(TargetColumn column) {
            String type = column.dataType().toLowerCase(Locale.ROOT);
            return switch (column.kind()) {
                case FLOAT -> type.equals("real") ? REAL : DOUBLE;
                case NUMERIC -> NUMERIC;
                case JSONB -> JSON;
                default -> type.equals("character") ? PADDED : EXACT;
            };
        }
    }

    private static final long TABS = ByteWords.repeated('\t');
    private static final long BACKSLASHES = ByteWords.repeated('\\');
    private static final long K1 = 0x87c37b91114253d5L;
    private static final long K2 = 0x4cf5ad432745937fL;
    private static final long NULL_HASH = 0x6a09e667f3bcc909L;
    private static final long GOLDEN = 0x9e3779b97f4a7c15L;

    private final Canon[] fields;
    private byte[] scratch = new byte[256];

    /** @param fields the treatment of each field of the line, in order; the line may not hold more */
    public RowHasher(List<Canon> fields) {
        this.fields = fields.toArray(Canon[]::new);
    }

    /**
     * The treatment of each field of the lines the port writes into {@code table}, given the
     * names of the columns it writes, in order: {@link Canon#SKIP} for a column the table does
     * not store (the value is only staged, as {@code event_search}'s text).
     */
    public static List<Canon> written(List<String> columns, TargetTable table) {
        List<Canon> fields = new ArrayList<>();
        for (String column : columns) {
            Optional<TargetColumn> stored = table.column(column);
            fields.add(stored.isPresent() ? Canon.of(stored.get()) : Canon.SKIP);
        }
        return fields;
    }

    /** The hash of {@code line[start..end)}, one row without its newline. */
    public long hash(byte[] line, int start, int lineEnd) {
        long row = GOLDEN;
        int pos = start;
        for (int field = 0; field < fields.length; field++) {
            // the field's end and whether it holds an escape, eight bytes at a time
            int end = pos;
            boolean escaped = false;
            while (true) {
                if (end + 8 <= lineEnd) {
                    long word = ByteWords.at(line, end);
                    long tabs = ByteWords.matches(word, TABS);
                    long backslashes = ByteWords.matches(word, BACKSLASHES);
                    if (tabs == 0) {
                        escaped |= backslashes != 0;
                        end += 8;
                        continue;
                    }
                    // only the lowest match is exact; a false one lies above a true one
                    long lowestTab = Long.lowestOneBit(tabs);
                    escaped |= (backslashes & (lowestTab - 1)) != 0;
                    end += Long.numberOfTrailingZeros(lowestTab) >>> 3;
                    break;
                }
                while (end < lineEnd && line[end] != '\t') {
                    escaped |= line[end] == '\\';
                    end++;
                }
                break;
            }
            Canon canon = fields[field];
            if (canon != Canon.SKIP) {
                row = (Long.rotateLeft(row, 23) ^ fieldHash(line, pos, end, canon, escaped)) * GOLDEN;
            }
            pos = end + 1;
        }
        return mix(row);
    }

    private long fieldHash(byte[] line, int start, int end, Canon canon, boolean escaped) {
        if (end - start == 2 && line[start] == '\\' && line[start + 1] == 'N') {
            return NULL_HASH;
        }
        if (!escaped && canon == Canon.EXACT) {
            return bytesHash(line, start, end);
        }
        int n = unescape(line, start, end);
        if (canon == Canon.PADDED) {
            while (n > 0 && scratch[n - 1] == ' ') {
                n--;
            }
        }
        if (canon == Canon.EXACT || canon == Canon.PADDED) {
            return bytesHash(scratch, 0, n);
        }
        String text = new String(scratch, 0, n, StandardCharsets.UTF_8);
        return switch (canon) {
            case REAL -> mix(Float.floatToIntBits((float) number(text)));
            case DOUBLE -> mix(Double.doubleToLongBits(number(text)));
            case NUMERIC -> stringHash(numeric(text));
            case JSON -> stringHash(JsonText.canonical(text));
            default -> throw new IllegalStateException("unexpected " + canon);
        };
    }

    /** Copies the field into {@code scratch} with COPY's backslash escapes undone; returns its length. */
    private int unescape(byte[] line, int start, int end) {
        if (scratch.length < end - start) {
            scratch = Arrays.copyOf(scratch, Math.max(end - start, scratch.length * 2));
        }
        int n = 0;
        for (int i = start; i < end; i++) {
            byte b = line[i];
            if (b == '\\' && i + 1 < end) {
                b = switch (line[++i]) {
                    case 'b' -> '\b';
                    case 'f' -> '\f';
                    case 'n' -> '\n';
                    case 'r' -> '\r';
                    case 't' -> '\t';
                    case 'v' -> 0x0b;
                    default -> line[i];
                };
            }
            scratch[n++] = b;
        }
        return n;
    }

    private static double number(String text) {
        try {
            return Double.parseDouble(text);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    private static String numeric(String text) {
        try {
            return new BigDecimal(text).stripTrailingZeros().toString();
        } catch (NumberFormatException e) {
            return text; // NaN and Infinity
        }
    }

    private long stringHash(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return bytesHash(b, 0, b.length);
    }

    /**
     * A hash of {@code b[start..end)}, eight bytes at a time (a MurmurHash3-like mix per word),
     * then a final mix so that every bit of the result depends on every byte.
     */
    static long bytesHash(byte[] b, int start, int end) {
        long h = GOLDEN;
        int i = start;
        for (; i + 8 <= end; i += 8) {
            h = word(h, ByteWords.at(b, i));
        }
        if (i < end) {
            long tail = 0;
            for (int shift = 0; i < end; i++, shift += 8) {
                tail |= (b[i] & 0xffL) << shift;
            }
            h = word(h, tail);
        }
        return mix(h ^ (end - start));
    }

    private static long word(long h, long w) {
        return Long.rotateLeft(h ^ Long.rotateLeft(w * K1, 31) * K2, 27) * 5 + 0x52dce729;
    }

    /** MurmurHash3's 64-bit finaliser. */
    static long mix(long h) {
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb3fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }
}
