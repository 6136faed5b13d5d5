package io.panrec.models.train;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * What one epoch did: the line the trainer prints and the JSON object it appends to its log.
 *
 * @param epoch             1-based
 * @param loss              mean training loss over the epoch's samples (NaN for models without one)
 * @param metrics           validation metrics, in the protocol's order; empty when not validated this epoch
 * @param seconds           wall-clock seconds of training (validation excluded)
 * @param validationSeconds wall-clock seconds of validation
 * @param samples           training samples seen (rows, rows with their negative rows, or entities)
 * @param learningRate      the optimizer's learning rate during the epoch (NaN for direct fits)
 * @param backend           the backend that ran the kernels
 * @param best              whether the early-stopping metric reached its best value in this epoch
 */
public record EpochRecord(int epoch, double loss, Map<String, Double> metrics, double seconds, double validationSeconds,
                          long samples, double learningRate, String backend, boolean best) {
    public EpochRecord {
        metrics = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
        Objects.requireNonNull(backend, "backend");
    }

    /** Training samples per second. */
    public double samplesPerSecond() {
        return seconds > 0 ? samples / seconds : 0;
    }

    /** The fields as plain values: what one line of the JSON log holds (non-finite numbers as null). */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("epoch", epoch);
        m.put("loss", finite(loss));
        Map<String, Object> mm = new LinkedHashMap<>();
        metrics.forEach((k, v) -> mm.put(k, finite(v)));
        m.put("metrics", mm);
        m.put("seconds", round(seconds));
        m.put("validationSeconds", round(validationSeconds));
        m.put("samples", samples);
        m.put("samplesPerSecond", round(samplesPerSecond()));
        m.put("learningRate", finite(learningRate));
        m.put("backend", backend);
        m.put("best", best);
        return m;
    }

    /** Reads back a map written by {@link #toMap()} (parsed JSON: numbers as Long or Double, null for NaN). */
    static EpochRecord fromMap(Map<?, ?> m) {
        Map<String, Double> metrics = new LinkedHashMap<>();
        if (m.get("metrics") instanceof Map<?, ?> mm) {
            mm.forEach((k, v) -> metrics.put(String.valueOf(k), number(v)));
        }
        return new EpochRecord((int) number(m.get("epoch")), number(m.get("loss")), metrics, number(m.get("seconds")),
                number(m.get("validationSeconds")), (long) number(m.get("samples")), number(m.get("learningRate")),
                String.valueOf(m.get("backend")), Boolean.TRUE.equals(m.get("best")));
    }

    private static double number(Object v) {
        return v instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    private static Object finite(double v) {
        return Double.isFinite(v) ? v : null;
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    /** {@code epoch 3/20  loss 0.31245  NDCG@10 0.4123 *  12.3 s  45678 samples/s  vector}. */
    public String line(int epochs) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "epoch %d/%d  loss %s", epoch, epochs, Double.isNaN(loss) ? "-" : String.format(Locale.ROOT,
                "%.5f", loss)));
        metrics.forEach((k, v) -> sb.append(String.format(Locale.ROOT, "  %s %.4f", k, v)));
        if (best) {
            sb.append(" *");
        }
        sb.append(String.format(Locale.ROOT, "  %.1f s", seconds + validationSeconds));
        if (samples > 0) {
            sb.append(String.format(Locale.ROOT, "  %.0f samples/s", samplesPerSecond()));
        }
        sb.append("  ").append(backend);
        return sb.toString();
    }
}
