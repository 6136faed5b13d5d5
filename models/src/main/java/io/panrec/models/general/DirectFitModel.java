package io.panrec.models.general;

import io.panrec.models.spi.DatasetSchema;
import io.panrec.models.spi.Recommender;
import io.panrec.models.spi.Settings;
import io.panrec.models.train.DirectFit;
import io.panrec.tensor.Tensor;

import java.util.List;
import java.util.Objects;

/**
 * What every model fitted directly (counting, neighbourhoods, closed-form or plain-Java SGD) holds alike:
 * its settings, its schema and a mode flag, and no parameters for an optimizer (the trainer calls
 * {@link DirectFit#fitEpoch} instead of stepping one).
 */
abstract class DirectFitModel implements Recommender, DirectFit {
    final Settings settings;
    final DatasetSchema schema;
    private boolean training = true;

    DirectFitModel(String name, Settings settings, DatasetSchema schema) {
        this.settings = Models.checkOwner(name, settings);
        this.schema = Objects.requireNonNull(schema, "schema");
    }

    @Override
    public Settings settings() {
        return settings;
    }

    @Override
    public DatasetSchema schema() {
        return schema;
    }

    @Override
    public List<Tensor> parameters() {
        return List.of();
    }

    @Override
    public void setTraining(boolean on) {
        training = on;
    }

    @Override
    public boolean isTraining() {
        return training;
    }
}
