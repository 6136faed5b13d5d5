package io.panrec.models.general;

import io.panrec.models.onnx.OnnxGraph;
import io.panrec.models.spi.AbstractModelProvider;
import io.panrec.models.spi.DatasetSchema;
import io.panrec.models.spi.Family;
import io.panrec.models.spi.Setting;
import io.panrec.models.spi.Settings;
import io.panrec.models.train.TrainingSettings;
import io.panrec.nn.Embedding;
import io.panrec.nn.Init;
import io.panrec.nn.Linear;
import io.panrec.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Generalized matrix factorization: X. He, L. Liao, H. Zhang, L. Nie, X. Hu, T.-S. Chua, "Neural
 * Collaborative Filtering", WWW 2017, section 3.2.
 *
 * <p>{@code logit(u, i) = h . (p_u * q_i) + b}: the element-wise product of the user and item
 * embeddings weighted by a learned output layer (plain MF when h is all ones). Trained with the log
 * loss on each positive and {@code negatives} sampled negatives ({@link NcfModel}).
 *
 * <p>State: {@code userEmbedding.weight} [U, f], {@code itemEmbedding.weight} [N, f],
 * {@code output.weight} [1, f], {@code output.bias} [1] (the names {@link NeuMF}'s pretraining reads).
 *
 * <p>Defaults, the paper's (section 4.1 and its code) except two: embeddings N(0, 0.01), 4 negatives
 * per positive, Adam with learning rate 0.001, batches of 256; but f = 64 predictive factors (the
 * largest of the paper's figure 4, where more factors were better) instead of 8, and up to 60 epochs
 * instead of 20, meant with early stopping on a validation split (MovieLens-100K has a tenth of
 * MovieLens-1M's interactions, so 20 epochs are a tenth of the paper's updates). On MovieLens-100K,
 * leave-one-out against 99 sampled negatives: f = 8 and 20 epochs reached HR@10 0.605 (below ItemKNN's
 * 0.616), f = 8 with 60 epochs 0.624 (stopped at 30), f = 32 0.637, f = 64 0.651 (stopped at 18;
 * validation NDCG@10 0.414 against 0.402 for f = 32).
 */
public final class GMF extends NcfModel {
    public static final String NAME = "GMF";

    final Embedding userEmbedding;
    final Embedding itemEmbedding;
    final Linear output;

    GMF(Settings settings, DatasetSchema schema) {
        super(NAME, settings, schema);
        int f = Models.positive(settings, "embeddingSize");
        SplittableRandom random = new SplittableRandom(settings.getLong(TrainingSettings.SEED));
        userEmbedding = registerModule("userEmbedding", new Embedding(schema.numUsers(), f, -1, true, random));
        itemEmbedding = registerModule("itemEmbedding", new Embedding(schema.numItems(), f, -1, true, random));
        Init.normal(userEmbedding.weight(), 0, 0.01, random);
        Init.normal(itemEmbedding.weight(), 0, 0.01, random);
        output = registerModule("output", new Linear(f, 1, random));
    }

    /** Registered in {@code META-INF/services}. */
    public static final class Provider extends AbstractModelProvider {
        public Provider() {
            super(NAME, Family.GENERAL, "generalized matrix factorization: a learned weighting of p_u * q_i, log loss with sampled negatives (He et al. 2017)",
                    GMF::new);
        }

        @Override
        public List<Setting> defaults() {
            List<Setting> s = new ArrayList<>();
            s.add(Setting.of("embeddingSize", 64, "predictive factors: the size of the user and item embeddings (the paper's default: 8)"));
            s.add(TrainingSettings.negatives(4, "the paper's choice (section 4.4)"));
            s.addAll(TrainingSettings.gradient(60, 256, "adam", 0.001, 0.0));
            s.add(TrainingSettings.seed(2017));
            return s;
        }
    }

    @Override
    Tensor logits(Tensor users, Tensor items) {
        Tensor x = userEmbedding.forward(users).mul(itemEmbedding.forward(items)); // [1, f] broadcasts over the items
        return output.forward(x).reshape(items.shape(0));
    }

    @Override
    String onnxLogits(OnnxGraph graph, String users, String items) {
        String x = graph.mul(graph.embedding("userEmbedding", userEmbedding, users), graph.embedding("itemEmbedding", itemEmbedding, items));
        return graph.linear("output", output, x);
    }

    /** {@code users [U]} -> {@code [U, N]}: (p_u * h) . q_i + b, one matrix product instead of every pair. */
    @Override
    public Tensor fullSortPredict(Tensor users) {
        Models.fullSortUsers(NAME, users, schema);
        Tensor weighted = userEmbedding.forward(users).mul(output.weight());      // [U, f] * [1, f]
        return weighted.matmul(itemEmbedding.weight().t()).add(output.bias());
    }
}
