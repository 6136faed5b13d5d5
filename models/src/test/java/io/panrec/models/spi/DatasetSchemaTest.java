package io.panrec.models.spi;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DatasetSchemaTest {
    @Test
    void validates() {
        assertTrue(DatasetSchema.explicit(2, 3, 1, 5).hasRatings());
        assertFalse(DatasetSchema.implicit(2, 3).hasRatings());
        assertThrows(IllegalArgumentException.class, () -> DatasetSchema.implicit(0, 3));
        assertThrows(IllegalArgumentException.class, () -> DatasetSchema.explicit(1, 1, 5, 1));
        assertThrows(IllegalArgumentException.class, () -> DatasetSchema.explicit(1, 1, Float.NaN, 1));
        assertThrows(IllegalArgumentException.class, () -> new DatasetSchema(1, 1, false, 1, 5));
    }
}
