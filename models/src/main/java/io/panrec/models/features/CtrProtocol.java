package io.panrec.models.features;

import io.panrec.autograd.Autograd;
import io.panrec.models.eval.EvaluationResult;
import io.panrec.models.eval.Metrics;
import io.panrec.models.spi.Recommender;
import io.panrec.tensor.Scope;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The CTR protocol: the model scores every held-out row ({@link Recommender#predict} on batches with
 * the row's fields; CTR models return the logit), and the scores are measured against the labels by
 * AUC (of the scores) and LogLoss (of their sigmoid, the predicted click probabilities), as the CTR
 * literature reports them (e.g. BARS, Zhu et al. 2022).
 */
public final class CtrProtocol {
    public static final String NAME = "ctr";
    private final CtrData rows;
    private final int batchSize;

    public CtrProtocol(CtrData rows) {
        this(rows, 4096);
    }

    public CtrProtocol(CtrData rows, int batchSize) {
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("CTR protocol: no rows to evaluate");
        }
        this.rows = rows;
        this.batchSize = batchSize;
    }

    /** The logits of every row, in row order. */
    public float[] scores(Recommender model) {
        float[] out = new float[rows.size()];
        boolean was = model.isTraining();
        model.setTraining(false);
        try (var _ = Autograd.noGrad()) {
            for (int from = 0; from < rows.size(); from += batchSize) {
                int to = Math.min(rows.size(), from + batchSize);
                try (var _ = Scope.open("ctr-eval")) {
                    float[] s = model.predict(rows.batch(null, from, to)).toFloatArray();
                    System.arraycopy(s, 0, out, from, to - from);
                }
            }
        } finally {
            model.setTraining(was);
        }
        return out;
    }

    /** AUC and LogLoss of {@code model} on the rows. */
    public EvaluationResult evaluate(Recommender model) {
        long t0 = System.nanoTime();
        float[] logits = scores(model);
        float[] p = new float[logits.length];
        for (int i = 0; i < p.length; i++) {
            p[i] = (float) (1 / (1 + Math.exp(-logits[i])));
        }
        float[] labels = rows.labels();
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("AUC", Metrics.auc(logits, labels));
        m.put("LogLoss", Metrics.logLoss(p, labels));
        return new EvaluationResult(NAME, m, rows.size(), (System.nanoTime() - t0) / 1e9);
    }
}
