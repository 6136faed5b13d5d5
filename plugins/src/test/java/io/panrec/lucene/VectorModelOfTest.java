package io.panrec.lucene;

import io.panrec.models.spi.Batch;
import io.panrec.models.spi.DatasetSchema;
import io.panrec.models.spi.ModelProvider;
import io.panrec.models.spi.ModelRegistry;
import io.panrec.models.spi.Recommender;
import io.panrec.tensor.Scope;
import io.panrec.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** VectorModel.of: the tables of dot-product models, checked against their scores; a clear refusal for the others. */
class VectorModelOfTest {
    private static Recommender model(String name) {
        ModelProvider p = ModelRegistry.discover().get(name);
        Recommender m = p.create(p.defaultSettings(), DatasetSchema.implicit(7, 13));
        m.setTraining(false);
        return m;
    }

    @Test
    void bprmfVectorsGiveItsScores() {
        Recommender m = model("BPRMF");
        VectorModel v = VectorModel.of(m);
        assertEquals(64, v.dimension());
        try (var _ = Scope.open("test")) {
            for (int u = 0; u < 7; u++) {
                for (int i = 0; i < 13; i += 3) {
                    float s = m.predict(new Batch().put(Batch.USERS, Tensor.ofLongs(new long[] {u})).put(Batch.ITEMS, Tensor.ofLongs(new long[] {i})))
                            .toFloatArray()[0];
                    float[] a = v.userVector(u);
                    float[] b = v.itemVector(i);
                    double dot = 0;
                    for (int j = 0; j < a.length; j++) {
                        dot += a[j] * b[j];
                    }
                    assertEquals(s, dot, 1e-5, "user " + u + ", item " + i);
                }
            }
        }
    }

    @Test
    void modelsWhoseScoreIsNotADotProductAreRefused() {
        for (String name : new String[] {"NeuMF", "GMF", "Pop"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> VectorModel.of(model(name)), name);
            assertTrue(e.getMessage().contains(name) && e.getMessage().contains("BPRMF"), e.getMessage());
        }
    }
}
