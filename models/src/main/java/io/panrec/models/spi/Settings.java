package io.panrec.models.spi;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The values of a model's settings for one run: its {@linkplain ModelProvider#defaults() defaults}, some
 * of them overridden (from {@code --set key=value}, a bundle's {@code model.json} or code). Immutable:
 * each {@code with} returns a new instance.
 *
 * <p>Every key must be one of the defaults and every value must have the default's type, so a typo or a
 * wrong type fails when the settings are made, not halfway through training:
 * <ul>
 *   <li>an unknown key throws {@link IllegalArgumentException} listing the known keys;</li>
 *   <li>a value of the wrong type, or text that does not parse, throws naming the key, the value and
 *       the expected type;</li>
 *   <li>a typed getter of another type ({@code getDouble} on an int setting) throws naming the key and
 *       its type.</li>
 * </ul>
 * Widening is allowed where it loses nothing: an int value for a long or double setting, a long that
 * fits for an int setting (JSON numbers are read as longs).
 */
public final class Settings {
    private final String owner;
    private final Map<String, Setting> specs;
    private final Map<String, Object> values;

    private Settings(String owner, Map<String, Setting> specs, Map<String, Object> values) {
        this.owner = owner;
        this.specs = specs;
        this.values = values;
    }

    /**
     * The defaults of {@code owner} (a model name, used in error messages).
     *
     * @throws IllegalArgumentException if two settings share a key
     */
    public static Settings of(String owner, List<Setting> defaults) {
        Objects.requireNonNull(owner, "owner");
        Map<String, Setting> specs = new LinkedHashMap<>();
        Map<String, Object> values = new LinkedHashMap<>();
        for (Setting s : defaults) {
            if (specs.putIfAbsent(s.key(), s) != null) {
                throw new IllegalArgumentException(owner + ": setting '" + s.key() + "' is declared twice");
            }
            values.put(s.key(), s.defaultValue());
        }
        return new Settings(owner, Collections.unmodifiableMap(specs), values);
    }

    /** The model these settings belong to. */
    public String owner() {
        return owner;
    }

    /** The keys in declaration order. */
    public List<String> keys() {
        return List.copyOf(specs.keySet());
    }

    /** The declaration of {@code key}. */
    public Setting spec(String key) {
        Setting s = specs.get(key);
        if (s == null) {
            throw unknown(key);
        }
        return s;
    }

    /** Whether {@code key} is a setting of this model. */
    public boolean has(String key) {
        return specs.containsKey(key);
    }

    /** Whether {@code key} still holds its default value. */
    public boolean isDefault(String key) {
        return spec(key).defaultValue().equals(values.get(key));
    }

    /** Every value by key, in declaration order (unmodifiable). */
    public Map<String, Object> values() {
        return Collections.unmodifiableMap(values);
    }

    // ------------------------------------------------------------------ overriding

    /**
     * These settings with {@code key} set to {@code value}, which must have the setting's type (see the
     * class comment for the widening allowed).
     */
    public Settings with(String key, Object value) {
        Setting spec = spec(key);
        Objects.requireNonNull(value, () -> owner + " setting '" + key + "': value is null");
        Object converted = convert(spec, value);
        Map<String, Object> copy = new LinkedHashMap<>(values);
        copy.put(key, converted);
        return new Settings(owner, specs, copy);
    }

    /** These settings with {@code key} parsed from text, as given on the command line. */
    public Settings withText(String key, String text) {
        Setting spec = spec(key);
        Objects.requireNonNull(text, () -> owner + " setting '" + key + "': value is null");
        return with(key, parse(spec, text));
    }

    /** {@link #withText} for each entry, in order. */
    public Settings withTexts(Map<String, String> texts) {
        Settings s = this;
        for (Map.Entry<String, String> e : texts.entrySet()) {
            s = s.withText(e.getKey(), e.getValue());
        }
        return s;
    }

    /**
     * {@link #withText} for assignments written {@code key=value} (the command line's {@code --set}); the
     * value may contain '=' and is taken verbatim after the first one.
     */
    public Settings withAssignments(List<String> assignments) {
        Settings s = this;
        for (String a : assignments) {
            int eq = a.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException(owner + ": setting '" + a + "' must be written key=value; known keys: "
                        + String.join(", ", specs.keySet()));
            }
            s = s.withText(a.substring(0, eq).strip(), a.substring(eq + 1).strip());
        }
        return s;
    }

    // ------------------------------------------------------------------ typed getters

    public int getInt(String key) {
        return (Integer) typed(key, Setting.Type.INT, "getInt");
    }

    public long getLong(String key) {
        return (Long) typed(key, Setting.Type.LONG, "getLong");
    }

    public double getDouble(String key) {
        return (Double) typed(key, Setting.Type.DOUBLE, "getDouble");
    }

    public boolean getBoolean(String key) {
        return (Boolean) typed(key, Setting.Type.BOOLEAN, "getBoolean");
    }

    public String getString(String key) {
        return (String) typed(key, Setting.Type.STRING, "getString");
    }

    /** A list-of-ints setting as a fresh array. */
    public int[] getInts(String key) {
        List<?> list = (List<?>) typed(key, Setting.Type.INT_LIST, "getInts");
        int[] out = new int[list.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (Integer) list.get(i);
        }
        return out;
    }

    /** The value of {@code key} as stored (Integer, Long, Double, Boolean, String or List of Integer). */
    public Object get(String key) {
        spec(key);
        return values.get(key);
    }

    private Object typed(String key, Setting.Type wanted, String getter) {
        Setting spec = spec(key);
        if (spec.type() != wanted) {
            throw new IllegalArgumentException(owner + " setting '" + key + "' is " + spec.type().description() + " ("
                    + spec.type() + ", value " + Setting.format(values.get(key)) + "), not " + wanted + "; " + getter
                    + " does not apply");
        }
        return values.get(key);
    }

    // ------------------------------------------------------------------ conversion

    private Object convert(Setting spec, Object value) {
        String key = spec.key();
        Setting.Type type = spec.type();
        Object out = switch (type) {
            case INT -> {
                if (value instanceof Integer i) {
                    yield i;
                }
                if (value instanceof Long l && l == (int) (long) l) {
                    yield (int) (long) l;
                }
                yield null;
            }
            case LONG -> value instanceof Integer i ? Long.valueOf(i) : value instanceof Long l ? l : null;
            case DOUBLE -> {
                double d;
                if (value instanceof Double x) {
                    d = x;
                } else if (value instanceof Integer i) {
                    d = i;
                } else if (value instanceof Long l) {
                    d = l;
                } else {
                    yield null;
                }
                if (!Double.isFinite(d)) {
                    throw new IllegalArgumentException(owner + " setting '" + key + "' must be a finite number, got " + d);
                }
                yield d;
            }
            case BOOLEAN -> value instanceof Boolean b ? b : null;
            case STRING -> value instanceof String s ? s : null;
            case INT_LIST -> {
                if (!(value instanceof List<?> list)) {
                    yield null;
                }
                List<Integer> ints = new ArrayList<>(list.size());
                for (Object o : list) {
                    if (o instanceof Integer i) {
                        ints.add(i);
                    } else if (o instanceof Long l && l == (int) (long) l) {
                        ints.add((int) (long) l);
                    } else {
                        throw wrongType(spec, Setting.format(value));
                    }
                }
                yield List.copyOf(ints);
            }
        };
        if (out == null) {
            throw wrongType(spec, value + " (" + value.getClass().getSimpleName()
                    + (value instanceof String ? "; for text as typed on the command line use withText" : "") + ")");
        }
        return out;
    }

    private Object parse(Setting spec, String text) {
        String t = text.strip();
        try {
            return switch (spec.type()) {
                case INT -> Integer.parseInt(t);
                case LONG -> Long.parseLong(t);
                case DOUBLE -> {
                    double d = Double.parseDouble(t);
                    if (!Double.isFinite(d) || t.isEmpty() || !Character.isDigit(t.charAt(t.length() - 1)) && t.charAt(t.length() - 1) != '.') {
                        // Java's parser accepts "1d", "2f", "NaN" and "Infinity"; none of them is a sane setting
                        throw new NumberFormatException(t);
                    }
                    yield d;
                }
                case BOOLEAN -> {
                    if (t.equalsIgnoreCase("true")) {
                        yield Boolean.TRUE;
                    }
                    if (t.equalsIgnoreCase("false")) {
                        yield Boolean.FALSE;
                    }
                    throw new NumberFormatException(t);
                }
                case STRING -> text;
                case INT_LIST -> {
                    List<Integer> ints = new ArrayList<>();
                    if (!t.isEmpty()) {
                        for (String part : t.split(",", -1)) {
                            ints.add(Integer.parseInt(part.strip()));
                        }
                    }
                    yield List.copyOf(ints);
                }
            };
        } catch (NumberFormatException e) {
            throw wrongType(spec, "'" + text + "'");
        }
    }

    private IllegalArgumentException wrongType(Setting spec, String shownValue) {
        return new IllegalArgumentException(owner + " setting '" + spec.key() + "' expects " + spec.type().description()
                + " (like its default " + Setting.format(spec.defaultValue()) + "), got " + shownValue);
    }

    private IllegalArgumentException unknown(String key) {
        return new IllegalArgumentException(owner + " has no setting '" + key + "'; known settings: "
                + (specs.isEmpty() ? "(none)" : String.join(", ", specs.keySet())));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Settings s && owner.equals(s.owner) && values.equals(s.values) && specs.keySet().equals(s.specs.keySet());
    }

    @Override
    public int hashCode() {
        return Objects.hash(owner, values);
    }

    /** {@code Owner{key=value, ...}}, values as on the command line. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(owner).append('{');
        boolean first = true;
        for (Map.Entry<String, Object> e : values.entrySet()) {
            if (!first) {
                sb.append(", ");
            }
            first = false;
            sb.append(e.getKey()).append('=').append(Setting.format(e.getValue()));
        }
        return sb.append('}').toString();
    }
}
