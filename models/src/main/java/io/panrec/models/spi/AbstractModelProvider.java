package io.panrec.models.spi;

import java.util.Objects;
import java.util.function.BiFunction;

/**
 * A {@link ModelProvider} of the usual shape: a name, a family, a one-line description and the model's
 * {@code (Settings, DatasetSchema)} constructor, given once to the constructor; a subclass lists its
 * {@link #defaults()}. ServiceLoader still needs one public class with a no-argument constructor per model:
 *
 * <pre>{@code
 * public static final class Provider extends AbstractModelProvider {
 *     public Provider() {
 *         super(NAME, Family.GENERAL, "what it is (who, year)", MyModel::new);
 *     }
 *
 *     public List<Setting> defaults() { ... }
 * }
 * }</pre>
 */
public abstract class AbstractModelProvider implements ModelProvider {
    private final String name;
    private final Family family;
    private final String description;
    private final BiFunction<Settings, DatasetSchema, ? extends Recommender> factory;

    protected AbstractModelProvider(String name, Family family, String description,
                                    BiFunction<Settings, DatasetSchema, ? extends Recommender> factory) {
        this.name = Objects.requireNonNull(name, "name");
        this.family = Objects.requireNonNull(family, "family");
        this.description = Objects.requireNonNull(description, "description");
        this.factory = Objects.requireNonNull(factory, "factory");
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final Family family() {
        return family;
    }

    @Override
    public final String description() {
        return description;
    }

    @Override
    public Recommender create(Settings settings, DatasetSchema schema) {
        return factory.apply(settings, schema);
    }
}
