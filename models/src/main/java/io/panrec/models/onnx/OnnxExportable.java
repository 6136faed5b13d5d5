package io.panrec.models.onnx;

/**
 * A model that can write its scoring function ({@code Recommender.predict}) as an ONNX graph. This is the
 * one export mechanism of panrec: a model implements it by declaring its graph inputs, wiring its modules
 * with {@link OnnxGraph}'s emitters in the order its own forward pass calls them, and declaring the
 * output, so that the graph computes exactly what {@code predict} returns (logits stay logits).
 *
 * <p>Conventions, so that every exported model is called the same way: id inputs are {@code int64} with
 * the symbolic first dimension {@link OnnxGraph#BATCH} ({@code users}, {@code items}, or the features a
 * context model reads), and the scores output is called {@code scores}, {@code float [batch]}. A tower
 * exported alone (two-tower, YouTube-DNN) names its output after what it is, e.g. {@code user_vectors
 * [batch, d]}.
 */
public interface OnnxExportable {
    /** The name of the scores output. */
    String SCORES = "scores";

    /** Adds this model's inputs, nodes, weights and outputs to {@code graph}. */
    void exportOnnx(OnnxGraph graph);
}
