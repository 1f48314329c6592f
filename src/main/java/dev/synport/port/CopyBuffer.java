package dev.synport.port;

import dev.synport.ByteWords;
import java.util.Arrays;

/** A growable byte buffer holding rows in PostgreSQL's COPY text format. */
final class CopyBuffer {
    private static final long BACKSLASHES = ByteWords.repeated('\\');
    private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private byte[] bytes = new byte[1 << 16];
    private int length;

    int length() {
        return length;
    }

    byte[] array() {
        return bytes;
    }

    void clear() {
        length = 0;
    }

    /** Forgets everything after {@code mark} (a row that turned out to be rejected). */
    void truncate(int mark) {
        length = mark;
    }

    void put(byte b) {
        ensure(1);
        bytes[length++] = b;
    }

    void putAscii(String s) {
        ensure(s.length());
        for (int i = 0; i < s.length(); i++) {
            bytes[length++] = (byte) s.charAt(i);
        }
    }

    void putNull() {
        put((byte) '\\');
        put((byte) 'N');
    }

    /** UTF-8 text, escaped for COPY text format; the runs between escapes are copied in one piece. */
    void putText(byte[] utf8) {
        ensure(utf8.length * 2);
        int start = 0;
        for (int i = 0; i < utf8.length; i++) {
            // eight bytes at a time up to the first backslash or control character up to CR
            while (i + 8 <= utf8.length) {
                long word = ByteWords.at(utf8, i);
                long stops = ByteWords.below(word, '\r' + 1) | ByteWords.matches(word, BACKSLASHES);
                if (stops != 0) {
                    i += Long.numberOfTrailingZeros(stops) >>> 3;
                    break;
                }
                i += 8;
            }
            if (i == utf8.length) {
                break;
            }
            byte b = utf8[i];
            // most bytes (lower-case letters, and every byte of a multi-byte character) need no look
            if (b > '\\' || b < 0 || (b > '\r' && b < '\\')) {
                continue;
            }
            byte escape = switch (b) {
                case '\\' -> '\\';
                case '\n' -> 'n';
                case '\r' -> 'r';
                case '\t' -> 't';
                default -> 0;
            };
            if (escape != 0) {
                System.arraycopy(utf8, start, bytes, length, i - start);
                length += i - start;
                bytes[length++] = '\\';
                bytes[length++] = escape;
                start = i + 1;
            }
        }
        System.arraycopy(utf8, start, bytes, length, utf8.length - start);
        length += utf8.length - start;
    }

    /** A bytea value: hex format, its backslash escaped for COPY text format. */
    void putBytea(byte[] value) {
        ensure(3 + value.length * 2);
        bytes[length++] = '\\';
        bytes[length++] = '\\';
        bytes[length++] = 'x';
        for (byte b : value) {
            bytes[length++] = HEX[(b >> 4) & 0xf];
            bytes[length++] = HEX[b & 0xf];
        }
    }

    private void ensure(int extra) {
        if (length + extra > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + extra));
        }
    }
}
