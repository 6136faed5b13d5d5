package io.panrec.models.bundle;

import io.panrec.io.Json;

import java.util.List;
import java.util.Map;

/**
 * Writes plain values as indented JSON: {@link Map} (keys in iteration order), {@link List},
 * {@link String}, integers, finite floating-point numbers, {@link Boolean} and {@code null}. The
 * counterpart of {@link Json#parse}, which reads the same values back (integers as {@link Long}, other
 * numbers as {@link Double}); together they make a model's {@code model.json} and the trainer's logs.
 */
public final class JsonWriter {
    private JsonWriter() {
    }

    /** {@code value} as indented JSON text ending in a line break. */
    public static String pretty(Object value) {
        StringBuilder sb = new StringBuilder();
        write(sb, value, 0, true);
        return sb.append('\n').toString();
    }

    /** {@code value} as JSON on one line (for JSON-lines logs). */
    public static String compact(Object value) {
        StringBuilder sb = new StringBuilder();
        write(sb, value, 0, false);
        return sb.toString();
    }

    private static void write(StringBuilder sb, Object v, int depth, boolean pretty) {
        switch (v) {
            case null -> sb.append("null");
            case String s -> Json.quote(sb, s);
            case Boolean b -> sb.append(b);
            case Integer i -> sb.append(i);
            case Long l -> sb.append(l);
            case Short s -> sb.append(s);
            case Byte b -> sb.append(b);
            case Float f -> {
                // Float.toString keeps the shortest text that reads back to the same float ("0.1", not 0.10000000149...)
                checkFinite(f);
                sb.append(Float.toString(f));
            }
            case Double d -> {
                checkFinite(d);
                sb.append(Double.toString(d));
            }
            case Map<?, ?> map -> {
                if (map.isEmpty()) {
                    sb.append("{}");
                    return;
                }
                sb.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    if (!(e.getKey() instanceof String key)) {
                        throw new IllegalArgumentException("JSON object keys must be strings, got " + e.getKey());
                    }
                    if (!first) {
                        sb.append(',');
                    }
                    first = false;
                    newline(sb, depth + 1, pretty);
                    Json.quote(sb, key);
                    sb.append(pretty ? ": " : ":");
                    write(sb, e.getValue(), depth + 1, pretty);
                }
                newline(sb, depth, pretty);
                sb.append('}');
            }
            case List<?> list -> {
                // short lists of scalars (layer sizes) stay on one line even when indenting
                boolean flat = !pretty || list.stream().noneMatch(x -> x instanceof Map || x instanceof List);
                sb.append('[');
                for (int i = 0; i < list.size(); i++) {
                    if (i > 0) {
                        sb.append(flat && pretty ? ", " : ",");
                    }
                    if (!flat) {
                        newline(sb, depth + 1, true);
                    }
                    write(sb, list.get(i), depth + 1, pretty);
                }
                if (!flat && !list.isEmpty()) {
                    newline(sb, depth, true);
                }
                sb.append(']');
            }
            default -> {
                if (v == Json.NULL) {
                    sb.append("null");
                    return;
                }
                throw new IllegalArgumentException("cannot write " + v.getClass().getName() + " as JSON; use maps, lists, strings, "
                        + "numbers, booleans or null");
            }
        }
    }

    private static void checkFinite(double d) {
        if (!Double.isFinite(d)) {
            throw new IllegalArgumentException("JSON has no " + d + "; write null or a finite number");
        }
    }

    private static void newline(StringBuilder sb, int depth, boolean pretty) {
        if (pretty) {
            sb.append('\n');
            sb.append("  ".repeat(depth));
        }
    }
}
