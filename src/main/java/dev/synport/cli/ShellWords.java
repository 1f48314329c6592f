package dev.synport.cli;

import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** A command line as a POSIX shell reads it back: words quoted where they need it. */
final class ShellWords {
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_./=:@%+,-]+");

    private ShellWords() {}

    static String command(String program, List<String> args) {
        return Stream.concat(Stream.of(program), args.stream()).map(ShellWords::quote)
                .collect(Collectors.joining(" "));
    }

    static String quote(String word) {
        return PLAIN.matcher(word).matches() ? word : "'" + word.replace("'", "'\\''") + "'";
    }
}
