package io.panrec.models.onnx;

import java.util.List;

/**
 * A retrieval model of two towers whose score is the dot product of a user vector and an item vector: it
 * exports the three graphs of {@link OnnxExportable} ({@link #SCORES}, {@link #USER_TOWER},
 * {@link #ITEM_TOWER}) from its two towers' emitters alone.
 */
public interface TowerExportable extends OnnxExportable {
    /** The user tower as nodes of {@code g}: declares its inputs, returns the {@code [batch, d]} user vectors. */
    String onnxUserTower(OnnxGraph g);

    /** The item tower as nodes of {@code g}: declares {@code items}, returns the {@code [batch, d]} item vectors. */
    String onnxItemTower(OnnxGraph g);

    /** d, the width of both towers' vectors. */
    int onnxVectorWidth();

    /** What the dot product means, written into the scores graph's metadata. */
    String onnxScoresMeaning();

    @Override
    default List<String> onnxGraphs() {
        return List.of(SCORES, USER_TOWER, ITEM_TOWER);
    }

    @Override
    default void exportOnnx(OnnxGraph g) {
        exportOnnx(SCORES, g);
    }

    @Override
    default void exportOnnx(String name, OnnxGraph g) {
        int d = onnxVectorWidth();
        switch (name) {
            case USER_TOWER -> g.output(g.identity(onnxUserTower(g), USER_VECTORS), OnnxGraph.FLOAT, OnnxGraph.BATCH, d);
            case ITEM_TOWER -> g.output(g.identity(onnxItemTower(g), ITEM_VECTORS), OnnxGraph.FLOAT, OnnxGraph.BATCH, d);
            case SCORES -> {
                String u = onnxUserTower(g);
                g.metadata("panrec.scores", onnxScoresMeaning());
                g.output(g.identity(g.rowDot(u, onnxItemTower(g)), SCORES), OnnxGraph.FLOAT, OnnxGraph.BATCH);
            }
            default -> OnnxExportable.super.exportOnnx(name, g);
        }
    }
}
