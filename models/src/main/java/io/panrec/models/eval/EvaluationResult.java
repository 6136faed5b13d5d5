package io.panrec.models.eval;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The metrics of one evaluation, in a fixed order ("HR@10", "NDCG@10", ...), with how many cases
 * (users or test rows) they average over and how long the evaluation took.
 *
 * @param protocol "sampled", "full" or "rating"
 * @param metrics  metric name to value, in the protocol's order (unmodifiable)
 * @param cases    users (ranking) or test rows (rating, sampled) averaged over
 * @param seconds  wall-clock seconds spent, scoring included
 */
public record EvaluationResult(String protocol, Map<String, Double> metrics, int cases, double seconds) {
    public EvaluationResult {
        Objects.requireNonNull(protocol, "protocol");
        metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
    }

    /**
     * The value of {@code name}.
     *
     * @throws IllegalArgumentException if this result has no such metric (the message lists them)
     */
    public double metric(String name) {
        Double v = metrics.get(name);
        if (v == null) {
            throw new IllegalArgumentException("the " + protocol + " protocol computed no metric '" + name + "'; it has "
                    + String.join(", ", metrics.keySet()));
        }
        return v;
    }

    /** {@code HR@10=0.6543 NDCG@10=0.3912 (943 cases, 1.2 s)}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, Double> e : metrics.entrySet()) {
            sb.append(e.getKey()).append('=').append(String.format(Locale.ROOT, "%.4f", e.getValue())).append(' ');
        }
        return sb.append(String.format(Locale.ROOT, "(%d cases, %.1f s)", cases, seconds)).toString();
    }
}
