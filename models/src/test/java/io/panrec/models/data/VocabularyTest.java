package io.panrec.models.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VocabularyTest {
    @TempDir
    Path dir;

    @Test
    void indicesFollowFirstAppearanceAndNeverChange() {
        Vocabulary v = new Vocabulary("items");
        assertEquals(0, v.add("10"));
        assertEquals(1, v.add("2"));
        assertEquals(0, v.add("10"));
        assertEquals(2, v.add("b"));
        assertEquals(List.of("10", "2", "b"), v.ids());
        assertEquals(1, v.index("2"));
        assertEquals(-1, v.indexOf("3"));
        assertEquals("b", v.id(2));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> v.index("3"));
        assertTrue(e.getMessage().contains("unknown item id '3'"), e.getMessage());
        assertThrows(IndexOutOfBoundsException.class, () -> v.id(3));
        assertThrows(IllegalArgumentException.class, () -> v.add(""));
        assertThrows(IllegalArgumentException.class, () -> v.add("a\nb"));
        assertThrows(IllegalArgumentException.class, () -> v.add("a\rb"));
        assertThrows(IllegalArgumentException.class, () -> Vocabulary.of("users", List.of("a", "b", "a")));
    }

    @Test
    void roundTripsThroughAUtf8FileKeepingOrder() throws Exception {
        Vocabulary v = Vocabulary.of("items", List.of("42", "Misérables, Les", "東京", "tab\there", " spaced "));
        Path f = dir.resolve("sub/items.vocab");
        v.save(f);
        assertEquals("42\nMisérables, Les\n東京\ntab\there\n spaced \n", Files.readString(f, StandardCharsets.UTF_8));
        Vocabulary back = Vocabulary.load(f, "items");
        assertEquals(v.ids(), back.ids());
        assertEquals(4, back.index(" spaced "));
        // no temporary file is left behind, and saving again replaces the file
        v.copy().add("new");
        Vocabulary w = v.copy();
        w.add("new");
        w.save(f);
        assertEquals(6, Vocabulary.load(f, "items").size());
        try (var files = Files.list(f.getParent())) {
            assertEquals(1, files.count());
        }
        Vocabulary empty = new Vocabulary("users");
        empty.save(dir.resolve("empty.vocab"));
        assertEquals(0, Vocabulary.load(dir.resolve("empty.vocab"), "users").size());
    }

    @Test
    void loadRejectsBrokenFilesWithTheLine() throws Exception {
        Path f = dir.resolve("v.txt");
        Files.writeString(f, "a\nb\na\n");
        DataFormatException dup = assertThrows(DataFormatException.class, () -> Vocabulary.load(f, "users"));
        assertEquals(3, dup.line());
        assertTrue(dup.getMessage().contains("already appeared on line 1"), dup.getMessage());

        Files.writeString(f, "a\n\nb\n");
        assertEquals(2, assertThrows(DataFormatException.class, () -> Vocabulary.load(f, "users")).line());

        Files.writeString(f, "a\nb");
        assertTrue(assertThrows(DataFormatException.class, () -> Vocabulary.load(f, "users")).getMessage().contains("truncated"));

        Files.writeString(f, "a\r\nb\r\n");
        assertTrue(assertThrows(DataFormatException.class, () -> Vocabulary.load(f, "users")).getMessage().contains("CRLF"));

        Files.write(f, new byte[] {'a', '\n', (byte) 0xE9, '\n'});
        assertTrue(assertThrows(DataFormatException.class, () -> Vocabulary.load(f, "users")).getMessage().contains("UTF-8"));
        assertFalse(Files.exists(dir.resolve("missing")));
        assertThrows(java.nio.file.NoSuchFileException.class, () -> Vocabulary.load(dir.resolve("missing"), "users"));
    }
}
