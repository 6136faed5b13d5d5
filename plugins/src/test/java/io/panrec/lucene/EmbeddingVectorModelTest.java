package io.panrec.lucene;

import io.panrec.autograd.Autograd;
import io.panrec.models.data.Interactions;
import io.panrec.models.data.Vocabulary;
import io.panrec.models.spi.Batch;
import io.panrec.models.spi.EmbeddingRecommender;
import io.panrec.models.spi.ModelProvider;
import io.panrec.models.spi.ModelRegistry;
import io.panrec.models.spi.Recommender;
import io.panrec.models.train.Trainer;
import io.panrec.tensor.Scope;
import io.panrec.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link VectorModel#of}: the vectors of models that expose them give back the models' own scores. */
class EmbeddingVectorModelTest {
    @Test
    void vectorsOfEmbeddingModelsReproduceTheirScores() {
        SplittableRandom random = new SplittableRandom(8);
        Vocabulary users = new Vocabulary("users");
        Vocabulary items = new Vocabulary("items");
        for (int i = 0; i < 15; i++) {
            items.add("i" + i);
        }
        Interactions.Builder b = Interactions.builder(users, items, false, true);
        for (int u = 0; u < 10; u++) {
            for (int k = 0; k < 5; k++) {
                b.add("u" + u, "i" + ((u + k * 3 + random.nextInt(2)) % 15), 1, k);
            }
        }
        Interactions data = b.build();
        ModelRegistry registry = ModelRegistry.discover();
        for (String name : List.of("BPRMF", "YouTubeDNN", "TwoTower")) {
            ModelProvider p = registry.get(name);
            Recommender model = p.create(p.defaultSettings().with("embeddingSize", 4).with("epochs", 1), data.schema());
            Trainer.builder(model, data).output(null).build().fit();
            assertTrue(model instanceof EmbeddingRecommender, name);
            VectorModel vectors = VectorModel.of((EmbeddingRecommender) model);
            assertEquals(4, vectors.dimension());
            float[] scores;
            try (var _ = Scope.open("t"); var _ = Autograd.noGrad()) {
                scores = model.predict(new Batch().put(Batch.USERS, Tensor.ofLongs(new long[] {2, 7}))
                        .put(Batch.ITEMS, Tensor.ofLongs(new long[] {5, 14}))).toFloatArray();
            }
            long[][] pairs = {{2, 5}, {7, 14}};
            for (int k = 0; k < 2; k++) {
                float[] u = vectors.userVector((int) pairs[k][0]);
                float[] v = vectors.itemVector((int) pairs[k][1]);
                double dot = 0;
                for (int j = 0; j < 4; j++) {
                    dot += u[j] * v[j];
                }
                assertEquals(scores[k], dot, 1e-4, name + " pair " + k);
            }
            assertThrows(IndexOutOfBoundsException.class, () -> vectors.itemVector(15));
        }
    }
}
