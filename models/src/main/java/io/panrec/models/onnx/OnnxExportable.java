package io.panrec.models.onnx;

import java.util.List;

/**
 * A model that can write its scoring function ({@code Recommender.predict}) as an ONNX graph. This is the
 * one export mechanism of panrec: a model implements it by declaring its graph inputs, wiring its modules
 * with {@link OnnxGraph}'s emitters in the order its own forward pass calls them, and declaring the
 * output, so that the graph computes exactly what {@code predict} returns (logits stay logits).
 *
 * <p>Conventions, so that every exported model is called the same way: id inputs are {@code int64} with
 * the symbolic first dimension {@link OnnxGraph#BATCH} ({@code users}, {@code items}, or the features a
 * context model reads), and the scores output is called {@code scores}, {@code float [batch]}. Bags
 * (histories, multi-valued fields) are right-padded ids {@code int64 [batch, T]} with their lengths
 * {@code NAME_lengths int64 [batch]}; what the padding holds is never read.
 *
 * <p>Retrieval models export more than one graph ({@link #onnxGraphs}): beside {@link #SCORES}, the
 * {@link #USER_TOWER} ({@code ... -> user_vectors float [batch, d]}) and the {@link #ITEM_TOWER}
 * ({@code items -> item_vectors float [batch, d]}), one file each, since a server runs them at different
 * times (the item tower when indexing, the user tower per query) and ONNX Runtime wants every input of a
 * graph fed on every call.
 */
public interface OnnxExportable {
    /** The name of the scores output, and of the graph that computes {@code predict}. */
    String SCORES = "scores";
    /** The graph of a two-tower model's user side: its inputs -> {@value #USER_VECTORS}. */
    String USER_TOWER = "user-tower";
    /** The graph of a two-tower model's item side: {@code items} -> {@value #ITEM_VECTORS}. */
    String ITEM_TOWER = "item-tower";
    /** The output of {@link #USER_TOWER}, {@code float [batch, d]}. */
    String USER_VECTORS = "user_vectors";
    /** The output of {@link #ITEM_TOWER}, {@code float [batch, d]}. */
    String ITEM_VECTORS = "item_vectors";

    /** Adds this model's inputs, nodes, weights and outputs of its {@link #SCORES} graph to {@code graph}. */
    void exportOnnx(OnnxGraph graph);

    /** The graphs this model exports, the default ({@link #SCORES}) first. */
    default List<String> onnxGraphs() {
        return List.of(SCORES);
    }

    /**
     * Adds the graph called {@code name} (one of {@link #onnxGraphs}) to {@code graph}; {@link OnnxExport}
     * checks the name before calling this.
     */
    default void exportOnnx(String name, OnnxGraph graph) {
        if (!SCORES.equals(name)) {
            throw new IllegalArgumentException("no ONNX graph '" + name + "'; this model exports: " + String.join(", ", onnxGraphs()));
        }
        exportOnnx(graph);
    }
}
