package org.example.recency;

import io.panrec.models.spi.DatasetSchema;
import io.panrec.models.spi.Family;
import io.panrec.models.spi.ModelProvider;
import io.panrec.models.spi.Recommender;
import io.panrec.models.spi.Setting;
import io.panrec.models.spi.Settings;

import java.util.List;

/**
 * Registers {@link RecentPopularity} under the name {@value RecentPopularity#NAME}; listed in
 * {@code META-INF/services/io.panrec.models.spi.ModelProvider}, which is how a host finds it. Cheap to
 * construct, as providers must be.
 */
public final class RecentPopularityProvider implements ModelProvider {
    /** Thirty days in seconds: MovieLens timestamps are seconds since 1970. */
    public static final double DEFAULT_HALF_LIFE = 30 * 24 * 3600.0;

    @Override
    public String name() {
        return RecentPopularity.NAME;
    }

    @Override
    public Family family() {
        return Family.GENERAL;
    }

    @Override
    public String description() {
        return "popularity with exponential time decay: each interaction counts 2^(-age / halfLife), age measured from the latest one";
    }

    @Override
    public List<Setting> defaults() {
        return List.of(Setting.of("halfLife", DEFAULT_HALF_LIFE,
                "age (in the unit of the data's timestamps) at which an interaction counts half; 30 days for timestamps in seconds"));
    }

    @Override
    public Recommender create(Settings settings, DatasetSchema schema) {
        if (!settings.owner().equalsIgnoreCase(RecentPopularity.NAME)) {
            throw new IllegalArgumentException("settings of model '" + settings.owner() + "' given to " + RecentPopularity.NAME);
        }
        double halfLife = settings.getDouble("halfLife");
        if (!(halfLife > 0) || Double.isInfinite(halfLife)) {
            throw new IllegalArgumentException(RecentPopularity.NAME + ": halfLife " + halfLife + " must be a positive number");
        }
        return new RecentPopularity(settings, schema, halfLife);
    }
}
