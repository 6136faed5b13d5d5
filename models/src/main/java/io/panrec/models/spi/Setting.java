package io.panrec.models.spi;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One setting of a model: its key, its default value (which also fixes its type) and a sentence that
 * explains it, as RecBole's per-model YAML files do. A model's defaults are an ordered list of these
 * ({@link ModelProvider#defaults()}); {@link Settings} holds the values of one run.
 *
 * <p>Types: {@code int}, {@code long}, {@code double}, {@code boolean}, {@code String}, and a list of
 * ints (layer sizes, written {@code 64,32,16} on the command line).
 *
 * @param key          lower camel case or dotted words ({@code embeddingSize}, {@code mlp.layers}); letters,
 *                     digits, '.', '_' and '-'
 * @param defaultValue an {@link Integer}, {@link Long}, {@link Double}, {@link Boolean}, {@link String} or
 *                     {@code List<Integer>} (copied, unmodifiable)
 * @param explanation  what the setting does, for {@code panrec models} and documentation
 */
public record Setting(String key, Object defaultValue, String explanation) {
    private static final Pattern KEY = Pattern.compile("[A-Za-z][A-Za-z0-9._-]*");

    /** The value types a setting can have. */
    public enum Type {
        INT("an integer"),
        LONG("an integer"),
        DOUBLE("a number"),
        BOOLEAN("true or false"),
        STRING("a string"),
        INT_LIST("a comma-separated list of integers");

        private final String description;

        Type(String description) {
            this.description = description;
        }

        /** What a value of this type looks like, for error messages ("an integer"). */
        public String description() {
            return description;
        }
    }

    public Setting {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(defaultValue, "defaultValue of setting " + key);
        Objects.requireNonNull(explanation, "explanation of setting " + key);
        if (!KEY.matcher(key).matches()) {
            throw new IllegalArgumentException("setting key '" + key + "' must start with a letter and contain only "
                    + "letters, digits, '.', '_' and '-'");
        }
        if (explanation.isBlank()) {
            throw new IllegalArgumentException("setting '" + key + "' needs an explanation");
        }
        defaultValue = normalise(key, defaultValue);
    }

    public static Setting of(String key, int defaultValue, String explanation) {
        return new Setting(key, defaultValue, explanation);
    }

    public static Setting of(String key, long defaultValue, String explanation) {
        return new Setting(key, defaultValue, explanation);
    }

    public static Setting of(String key, double defaultValue, String explanation) {
        return new Setting(key, defaultValue, explanation);
    }

    public static Setting of(String key, boolean defaultValue, String explanation) {
        return new Setting(key, defaultValue, explanation);
    }

    public static Setting of(String key, String defaultValue, String explanation) {
        return new Setting(key, defaultValue, explanation);
    }

    public static Setting ofInts(String key, List<Integer> defaultValue, String explanation) {
        return new Setting(key, defaultValue, explanation);
    }

    /** The type fixed by the default value. */
    public Type type() {
        return typeOf(defaultValue);
    }

    static Type typeOf(Object value) {
        return switch (value) {
            case Integer i -> Type.INT;
            case Long l -> Type.LONG;
            case Double d -> Type.DOUBLE;
            case Boolean b -> Type.BOOLEAN;
            case String s -> Type.STRING;
            case List<?> l -> Type.INT_LIST;
            default -> throw new IllegalArgumentException("unsupported setting value type " + value.getClass().getName());
        };
    }

    private static Object normalise(String key, Object value) {
        return switch (value) {
            case Integer i -> i;
            case Long l -> l;
            case Double d -> {
                if (!Double.isFinite(d)) {
                    throw new IllegalArgumentException("setting '" + key + "': default " + d + " is not finite");
                }
                yield d;
            }
            case Float f -> throw new IllegalArgumentException("setting '" + key + "': use a double default, not a float");
            case Boolean b -> b;
            case String s -> s;
            case List<?> list -> {
                for (Object o : list) {
                    if (!(o instanceof Integer)) {
                        throw new IllegalArgumentException("setting '" + key + "': a list default must hold Integers only, found "
                                + (o == null ? "null" : o.getClass().getSimpleName()));
                    }
                }
                yield List.copyOf(list);
            }
            default -> throw new IllegalArgumentException("setting '" + key + "': unsupported default type "
                    + value.getClass().getName() + "; use int, long, double, boolean, String or List<Integer>");
        };
    }

    /** The value written as on the command line ({@code 64,32,16} for lists). */
    public static String format(Object value) {
        if (value instanceof List<?> list) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < list.size(); i++) {
                if (i > 0) {
                    sb.append(',');
                }
                sb.append(list.get(i));
            }
            return sb.toString();
        }
        return String.valueOf(value);
    }
}
