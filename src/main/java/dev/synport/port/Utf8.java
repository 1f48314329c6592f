package dev.synport.port;

import dev.synport.ByteWords;
import java.nio.ByteBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** UTF-8 checks as strict as PostgreSQL's: no overlong forms, no surrogates, nothing past U+10FFFF. */
final class Utf8 {
    private Utf8() {}

    /** Whether {@code b} is well-formed UTF-8 without a NUL character. */
    static boolean isCleanText(byte[] b) {
        int i = 0;
        int n = b.length;
        while (i < n) {
            if (i + 8 <= n && ByteWords.asciiWithoutNul(ByteWords.at(b, i))) {
                i += 8;
                continue;
            }
            int c = b[i] & 0xff;
            if (c >= 0x01 && c < 0x80) {
                i++;
                continue;
            }
            if (c == 0) {
                return false;
            }
            int need;
            int min;
            if (c >= 0xc2 && c <= 0xdf) {
                need = 1;
                min = 0x80;
            } else if (c >= 0xe0 && c <= 0xef) {
                need = 2;
                min = 0x800;
            } else if (c >= 0xf0 && c <= 0xf4) {
                need = 3;
                min = 0x10000;
            } else {
                return false;
            }
            if (i + need >= n) {
                return false;
            }
            int cp = c & (0x3f >> need);
            for (int k = 1; k <= need; k++) {
                int cc = b[i + k] & 0xff;
                if ((cc & 0xc0) != 0x80) {
                    return false;
                }
                cp = (cp << 6) | (cc & 0x3f);
            }
            if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
                return false;
            }
            i += need + 1;
        }
        return true;
    }

    /** Whether {@code b} is well-formed UTF-8 (NUL allowed). */
    static boolean isWellFormed(byte[] b) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        try {
            decoder.decode(ByteBuffer.wrap(b));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    /** Decodes, replacing each malformed sequence with U+FFFD (Java's decoder is as strict as PostgreSQL's). */
    static String decodeLenient(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
