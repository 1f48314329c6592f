package dev.synport.port;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The text scans that go eight bytes at a time, against plain byte-by-byte references. */
class TextScanTest {
    private static final byte[] PIECES = "abc\\\t\n\r\u000b\0é€😀".getBytes(StandardCharsets.UTF_8);

    @Test
    void putTextEscapesExactlyAsAByteByByteEncoderWouldAtAnyPositionAndLength() {
        Random random = new Random(11);
        for (int round = 0; round < 20_000; round++) {
            byte[] text = randomText(random);
            CopyBuffer out = new CopyBuffer();
            out.put((byte) '>');
            out.putText(text);
            assertThat(new String(Arrays.copyOf(out.array(), out.length()), StandardCharsets.ISO_8859_1))
                    .isEqualTo(">" + new String(escaped(text), StandardCharsets.ISO_8859_1));
        }
    }

    @Test
    void cleanTextIsWellFormedUtf8WithoutNulAtAnyPositionAndLength() {
        Random random = new Random(13);
        for (int round = 0; round < 50_000; round++) {
            byte[] text = randomText(random);
            if (random.nextInt(4) == 0 && text.length > 0) {
                text[random.nextInt(text.length)] = (byte) (0x80 + random.nextInt(0x80)); // perhaps malformed
            }
            boolean reference = Utf8.isWellFormed(text) && !new String(text, StandardCharsets.UTF_8).contains("\0");
            assertThat(Utf8.isCleanText(text)).as(Arrays.toString(text)).isEqualTo(reference);
        }
    }

    /** Up to 40 bytes: mostly letters, with escapes, controls, NUL and multi-byte characters anywhere. */
    private static byte[] randomText(Random random) {
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        int length = random.nextInt(40);
        while (text.size() < length) {
            if (random.nextInt(6) != 0) {
                text.write('a' + random.nextInt(26));
                continue;
            }
            String piece = new String(PIECES, StandardCharsets.UTF_8);
            int at = piece.offsetByCodePoints(0, random.nextInt(piece.codePointCount(0, piece.length())));
            text.writeBytes(new String(Character.toChars(piece.codePointAt(at))).getBytes(StandardCharsets.UTF_8));
        }
        return text.toByteArray();
    }

    private static byte[] escaped(byte[] text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte b : text) {
            switch (b) {
                case '\\' -> out.writeBytes(new byte[] {'\\', '\\'});
                case '\n' -> out.writeBytes(new byte[] {'\\', 'n'});
                case '\r' -> out.writeBytes(new byte[] {'\\', 'r'});
                case '\t' -> out.writeBytes(new byte[] {'\\', 't'});
                default -> out.write(b);
            }
        }
        return out.toByteArray();
    }
}
