package io.panrec.io;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JsonTest {

    @Test
    void parsesEveryKindOfValueInDocumentOrder() throws Exception {
        Object v = Json.parse(" {\"b\": [1, -2, 0, 3.5, -1e3, 2E+2], \"a\": {\"t\": true, \"f\": false, \"n\": null},"
                + " \"s\": \"q\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\u00fc\"}\n");
        Map<?, ?> m = (Map<?, ?>) v;
        assertEquals(List.of("b", "a", "s"), List.copyOf(m.keySet()));
        assertEquals(List.of(1L, -2L, 0L, 3.5, -1000.0, 200.0), m.get("b"));
        Map<?, ?> a = (Map<?, ?>) m.get("a");
        assertEquals(Boolean.TRUE, a.get("t"));
        assertEquals(Boolean.FALSE, a.get("f"));
        assertSame(Json.NULL, a.get("n"));
        assertEquals("q\"\\/\b\f\n\r\t\u00e9\ud83d\ude00\u00fc", m.get("s"));
        assertEquals(Long.MAX_VALUE, Json.parse("9223372036854775807"));
        assertTrue(Json.parse("9223372036854775808") instanceof Double, "an integer beyond long is not a Long");
    }

    @Test
    void rejectsWhatRfc8259Rejects() {
        String[] bad = {
            "", "{", "{\"a\":1,}", "[1,]", "{\"a\" 1}", "{a:1}", "{\"a\":1}}", "{\"a\":1} x", "01", "-", "1.", "1e", ".5",
            "+1", "\"a\nb\"", "\"\\x\"", "\"\\u12\"", "\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"", "tru", "nul",
            "{\"a\":1,\"a\":2}", "'a'", "[1 2]", "\"abc",
        };
        for (String s : bad) {
            assertThrows(Json.ParseException.class, () -> Json.parse(s), () -> "accepted: " + s);
        }
    }

    @Test
    void duplicateKeysAndDepthAreReportedWithPositions() {
        Json.ParseException dup = assertThrows(Json.ParseException.class, () -> Json.parse("{\"x\":1, \"x\":2}"));
        assertTrue(dup.getMessage().contains("duplicate key \"x\"") && dup.getMessage().contains("character 8"), dup.getMessage());
        String deep = "[".repeat(Json.MAX_DEPTH + 1) + "]".repeat(Json.MAX_DEPTH + 1);
        Json.ParseException e = assertThrows(Json.ParseException.class, () -> Json.parse(deep));
        assertTrue(e.getMessage().contains("nesting"), e.getMessage());
        String ok = "[".repeat(Json.MAX_DEPTH) + "]".repeat(Json.MAX_DEPTH);
        assertThrows(Json.ParseException.class, () -> Json.parse("[".repeat(100_000)), "hostile depth must not overflow the stack");
        try {
            Json.parse(ok);
        } catch (Json.ParseException ex) {
            throw new AssertionError("nesting of exactly MAX_DEPTH must parse", ex);
        }
    }

    @Test
    void quotedStringsParseBackToThemselves() throws Exception {
        String[] samples = {"", "plain", "q\"uo\\te", "line\nbreak\ttab", "\u0000\u001f ctrl", "\u00e9\u4e2d\ud83d\ude00", "/"};
        for (String s : samples) {
            StringBuilder sb = new StringBuilder();
            Json.quote(sb, s);
            assertEquals(s, Json.parse(sb.toString()), sb.toString());
        }
    }
}
