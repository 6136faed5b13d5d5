package io.panrec.models.spi;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SettingsTest {
    static final List<Setting> DEFAULTS = List.of(
            Setting.of("embeddingSize", 64, "width of the user and item vectors"),
            Setting.of("learningRate", 0.001, "Adam's step size"),
            Setting.of("seed", 42L, "seed of the initialisation"),
            Setting.of("pretrain", false, "start from pretrained GMF and MLP weights"),
            Setting.of("loss", "bce", "training loss: bce or bpr"),
            Setting.ofInts("mlp.layers", List.of(64, 32, 16), "widths of the MLP tower"));

    private final Settings defaults = Settings.of("NeuMF", DEFAULTS);

    @Test
    void defaultsAndTypedGetters() {
        assertEquals(List.of("embeddingSize", "learningRate", "seed", "pretrain", "loss", "mlp.layers"), defaults.keys());
        assertEquals(64, defaults.getInt("embeddingSize"));
        assertEquals(0.001, defaults.getDouble("learningRate"));
        assertEquals(42L, defaults.getLong("seed"));
        assertFalse(defaults.getBoolean("pretrain"));
        assertEquals("bce", defaults.getString("loss"));
        assertArrayEquals(new int[] {64, 32, 16}, defaults.getInts("mlp.layers"));
        assertEquals(Setting.Type.INT_LIST, defaults.spec("mlp.layers").type());
        assertTrue(defaults.isDefault("seed"));
        assertEquals("NeuMF{embeddingSize=64, learningRate=0.001, seed=42, pretrain=false, loss=bce, mlp.layers=64,32,16}",
                defaults.toString());
    }

    @Test
    void overridesFromTextAndValuesAreImmutable() {
        Settings s = defaults.withAssignments(List.of("embeddingSize=8", "learningRate = 1e-2", "pretrain=TRUE", "loss=a=b",
                "mlp.layers=16, 8"));
        assertEquals(8, s.getInt("embeddingSize"));
        assertEquals(0.01, s.getDouble("learningRate"));
        assertTrue(s.getBoolean("pretrain"));
        assertEquals("a=b", s.getString("loss"));
        assertArrayEquals(new int[] {16, 8}, s.getInts("mlp.layers"));
        assertFalse(s.isDefault("embeddingSize"));
        assertEquals(64, defaults.getInt("embeddingSize"));
        assertNotEquals(defaults, s);
        assertEquals(s, defaults.withTexts(Map.of("embeddingSize", "8", "learningRate", "0.01", "pretrain", "true", "loss", "a=b",
                "mlp.layers", "16,8")));
        assertEquals(0, defaults.withText("mlp.layers", "").getInts("mlp.layers").length);
    }

    @Test
    void widenedValuesFromJsonAreAccepted() {
        Settings s = defaults.with("embeddingSize", 16L).with("learningRate", 1).with("seed", 7).with("mlp.layers", List.of(8L, 4L));
        assertEquals(16, s.getInt("embeddingSize"));
        assertEquals(1.0, s.getDouble("learningRate"));
        assertEquals(7L, s.getLong("seed"));
        assertArrayEquals(new int[] {8, 4}, s.getInts("mlp.layers"));
    }

    @Test
    void unknownKeyListsTheKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> defaults.withText("lr", "0.1"));
        assertEquals("NeuMF has no setting 'lr'; known settings: embeddingSize, learningRate, seed, pretrain, loss, mlp.layers",
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> defaults.getInt("lr"));
        assertThrows(IllegalArgumentException.class, () -> defaults.withAssignments(List.of("embeddingSize")));
        assertThrows(IllegalArgumentException.class, () -> defaults.withAssignments(List.of("=4")));
    }

    @Test
    void wrongTypesNameKeyAndValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> defaults.withText("embeddingSize", "big"));
        assertEquals("NeuMF setting 'embeddingSize' expects an integer (like its default 64), got 'big'", e.getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> defaults.withText("embeddingSize", "8.5"))
                .getMessage().contains("'8.5'"));
        assertThrows(IllegalArgumentException.class, () -> defaults.withText("learningRate", "NaN"));
        assertThrows(IllegalArgumentException.class, () -> defaults.withText("learningRate", "Infinity"));
        assertThrows(IllegalArgumentException.class, () -> defaults.withText("learningRate", "1f"));
        assertThrows(IllegalArgumentException.class, () -> defaults.withText("pretrain", "yes"));
        assertThrows(IllegalArgumentException.class, () -> defaults.withText("mlp.layers", "8,x"));
        assertThrows(IllegalArgumentException.class, () -> defaults.with("embeddingSize", 1.5));
        assertThrows(IllegalArgumentException.class, () -> defaults.with("embeddingSize", 1L << 40));
        assertThrows(IllegalArgumentException.class, () -> defaults.with("pretrain", "true"));
        assertThrows(IllegalArgumentException.class, () -> defaults.with("learningRate", Double.NaN));
        IllegalArgumentException g = assertThrows(IllegalArgumentException.class, () -> defaults.getDouble("embeddingSize"));
        assertTrue(g.getMessage().contains("'embeddingSize' is an integer") && g.getMessage().contains("value 64"), g.getMessage());
    }

    @Test
    void declarationsAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> Settings.of("M", List.of(Setting.of("a", 1, "x"), Setting.of("a", 2, "y"))));
        assertThrows(IllegalArgumentException.class, () -> Setting.of("1a", 1, "x"));
        assertThrows(IllegalArgumentException.class, () -> Setting.of("a b", 1, "x"));
        assertThrows(IllegalArgumentException.class, () -> Setting.of("a", 1, " "));
        assertThrows(IllegalArgumentException.class, () -> new Setting("a", 1.5f, "x"));
        assertThrows(IllegalArgumentException.class, () -> new Setting("a", List.of("x"), "x"));
        assertThrows(IllegalArgumentException.class, () -> new Setting("a", new Object(), "x"));
    }
}
