package dev.synport.schema;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A SQLite statement cut into tokens, comments dropped. Each token keeps its place in the
 * source so that expressions (defaults, checks, index predicates) are taken over verbatim.
 */
final class SqlTokens {
    /** One token; {@code text} is unquoted for quoted identifiers, verbatim otherwise. */
    record Token(String text, boolean quoted, int start, int end) {
        boolean is(String keyword) {
            return !quoted && text.equalsIgnoreCase(keyword);
        }
    }

    private final String source;
    private final List<Token> tokens;
    private int position;

    private SqlTokens(String source, List<Token> tokens) {
        this.source = source;
        this.tokens = tokens;
    }

    static SqlTokens of(String sql) {
        List<Token> tokens = new ArrayList<>();
        int i = 0;
        int n = sql.length();
        while (i < n) {
            char c = sql.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
                int end = sql.indexOf('\n', i);
                i = end < 0 ? n : end + 1;
            } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
                int end = sql.indexOf("*/", i + 2);
                i = end < 0 ? n : end + 2;
            } else if (c == '\'') {
                int end = closing(sql, i, '\'');
                tokens.add(new Token(sql.substring(i, end), false, i, end));
                i = end;
            } else if (c == '"' || c == '`' || c == '[') {
                char close = c == '[' ? ']' : c;
                int end = closing(sql, i, close);
                String inner = sql.substring(i + 1, end - 1);
                if (close != ']') {
                    inner = inner.replace(String.valueOf(close) + close, String.valueOf(close));
                }
                tokens.add(new Token(inner, true, i, end));
                i = end;
            } else if (Character.isLetterOrDigit(c) || c == '_' || c == '$') {
                int end = i;
                while (end < n && (Character.isLetterOrDigit(sql.charAt(end)) || sql.charAt(end) == '_'
                        || sql.charAt(end) == '$' || sql.charAt(end) == '.' && Character.isDigit(c))) {
                    end++;
                }
                tokens.add(new Token(sql.substring(i, end), false, i, end));
                i = end;
            } else {
                int end = i + 1;
                if (end < n && "<>!=|".indexOf(c) >= 0 && "=>|".indexOf(sql.charAt(end)) >= 0) {
                    end++;
                }
                tokens.add(new Token(sql.substring(i, end), false, i, end));
                i = end;
            }
        }
        // One statement only: the snapshot is untrusted, and its text ends up in PostgreSQL.
        for (int t = 0; t < tokens.size() - 1; t++) {
            if (tokens.get(t).text().equals(";") && !tokens.get(t).quoted()) {
                throw new IllegalArgumentException("more than one statement in: " + sql);
            }
        }
        return new SqlTokens(sql, tokens);
    }

    private static int closing(String sql, int open, char close) {
        int i = open + 1;
        while (i < sql.length()) {
            if (sql.charAt(i) == close) {
                if (close != ']' && i + 1 < sql.length() && sql.charAt(i + 1) == close) {
                    i += 2;
                    continue;
                }
                return i + 1;
            }
            i++;
        }
        throw new IllegalArgumentException("unterminated " + close + " in: " + sql);
    }

    boolean atEnd() {
        return position >= tokens.size() || peek().is(";");
    }

    Token peek() {
        return tokens.get(position);
    }

    boolean peekIs(String keyword) {
        return !atEnd() && peek().is(keyword);
    }

    Token next() {
        if (position >= tokens.size()) {
            throw new IllegalArgumentException("unexpected end of: " + source);
        }
        return tokens.get(position++);
    }

    /** Consumes the keyword if it comes next. */
    boolean accept(String keyword) {
        if (peekIs(keyword)) {
            position++;
            return true;
        }
        return false;
    }

    void expect(String keyword) {
        Token t = next();
        if (!t.is(keyword)) {
            throw new IllegalArgumentException("expected " + keyword + " but found '" + t.text() + "' in: " + source);
        }
    }

    /** The next identifier, unquoted, lower-cased unless it was quoted. */
    String identifier() {
        Token t = next();
        return t.quoted() ? t.text() : t.text().toLowerCase(Locale.ROOT);
    }

    /**
     * Consumes a balanced group that starts at the current {@code (} and returns the source
     * text between the parentheses.
     */
    String parenthesised() {
        Token open = next();
        if (!open.is("(")) {
            throw new IllegalArgumentException("expected ( but found '" + open.text() + "' in: " + source);
        }
        int depth = 1;
        while (true) {
            Token t = next();
            if (t.is("(")) {
                depth++;
            } else if (t.is(")") && --depth == 0) {
                return source.substring(open.end(), t.start()).strip();
            }
        }
    }

    /**
     * Consumes tokens up to (not including) a top-level comma, closing parenthesis or one of
     * {@code stops}, and returns their source text.
     */
    String until(String... stops) {
        int depth = 0;
        int from = position;
        while (position < tokens.size()) {
            Token t = peek();
            if (depth == 0 && (t.is(",") || t.is(")") || t.is(";") || isAny(t, stops))) {
                break;
            }
            if (t.is("(")) {
                depth++;
            } else if (t.is(")")) {
                depth--;
            }
            position++;
        }
        if (from == position) {
            return "";
        }
        return source.substring(tokens.get(from).start(), tokens.get(position - 1).end()).strip();
    }

    /** The comma-separated identifiers inside the next parenthesised group. */
    List<String> identifierList() {
        expect("(");
        List<String> names = new ArrayList<>();
        do {
            names.add(identifier());
            while (!peekIs(",") && !peekIs(")")) {
                next(); // COLLATE x, ASC, DESC
            }
        } while (accept(","));
        expect(")");
        return names;
    }

    private static boolean isAny(Token t, String... keywords) {
        for (String k : keywords) {
            if (t.is(k)) {
                return true;
            }
        }
        return false;
    }
}
