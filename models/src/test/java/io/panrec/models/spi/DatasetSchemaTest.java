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

    @Test
    void featureFieldsAreOptionalAndChecked() {
        DatasetSchema plain = new DatasetSchema(2, 3, false, Float.NaN, Float.NaN);
        assertTrue(plain.features().isEmpty());
        assertFalse(plain.hasFeatures());
        assertTrue(plain.equals(DatasetSchema.implicit(2, 3)));
        DatasetSchema withFields = plain.withFeatures(java.util.List.of(FeatureField.numeric("I1"),
                FeatureField.categorical("C1", FeatureField.Source.ROW, 10), FeatureField.bag("genres", FeatureField.Source.ITEM, 20, 6)));
        assertTrue(withFields.hasFeatures());
        assertFalse(withFields.equals(plain));
        assertThrows(IllegalArgumentException.class, () -> plain.withFeatures(java.util.List.of(FeatureField.numeric("x"),
                FeatureField.numeric("x"))), "duplicate field names");
        assertThrows(IllegalArgumentException.class, () -> new FeatureField("n", FeatureField.Kind.NUMERIC, FeatureField.Source.ROW, 3, 1));
        assertThrows(IllegalArgumentException.class, () -> new FeatureField("a", FeatureField.Kind.NUMERIC, FeatureField.Source.USER, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> FeatureField.bag("b", FeatureField.Source.ROW, 5, 0));
        assertThrows(IllegalArgumentException.class, () -> FeatureField.categorical("bad name", FeatureField.Source.ROW, 5));
    }
}
