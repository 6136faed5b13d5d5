package io.panrec.models.context;

import io.panrec.models.features.CtrReaders;
import io.panrec.models.features.FieldSpec;
import io.panrec.models.features.RawCtrData;
import io.panrec.models.features.SideFeatures;
import io.panrec.models.spi.DatasetSchema;
import io.panrec.models.spi.FeatureField;
import io.panrec.models.spi.Recommender;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Toy feature data for the CTR models' tests: user and item fields for interaction data, and Criteo-like rows. */
public final class ToyCtr {
    private ToyCtr() {
    }

    /**
     * {@code base} with user fields (user id, a 3-valued group) and item fields (item id, a bag of up to
     * three of five genres); {@link #side} gives the matching tables.
     */
    public static DatasetSchema withSideFields(DatasetSchema base) {
        return base.withFeatures(List.of(
                FeatureField.categorical("user", FeatureField.Source.USER, base.numUsers()),
                FeatureField.categorical("group", FeatureField.Source.USER, 4),
                FeatureField.categorical("item", FeatureField.Source.ITEM, base.numItems()),
                FeatureField.bag("genres", FeatureField.Source.ITEM, 6, 3)));
    }

    /** Tables of {@link #withSideFields}: item i has genres (i % 5), ((i + 2) % 5) for even i, none for multiples of 7. */
    public static SideFeatures side(DatasetSchema s) {
        int u = s.numUsers();
        int n = s.numItems();
        long groupOffset = u;
        long itemOffset = u + 4L;
        long genreOffset = itemOffset + n;
        long[] userFields = new long[u * 2];
        for (int i = 0; i < u; i++) {
            userFields[2 * i] = i;
            userFields[2 * i + 1] = groupOffset + i % 3;
        }
        long[] itemFields = new long[n];
        long[] bags = new long[n * 3];
        long[] lengths = new long[n];
        for (int i = 0; i < n; i++) {
            itemFields[i] = itemOffset + i;
            java.util.Arrays.fill(bags, i * 3, i * 3 + 3, genreOffset + 5);
            if (i % 7 == 0) {
                continue;
            }
            bags[i * 3] = genreOffset + i % 5;
            lengths[i] = 1;
            if (i % 2 == 0) {
                bags[i * 3 + 1] = genreOffset + (i + 2) % 5;
                lengths[i] = 2;
            }
        }
        return new SideFeatures(u, n, userFields, new long[0], new long[0], itemFields, bags, lengths);
    }

    /** A model of a CTR provider on {@code base} with toy side fields installed. */
    public static Recommender install(Recommender model) {
        ((CtrModel) model).setSideFeatures(side(model.schema()));
        return model;
    }

    /**
     * Criteo-like rows: 3 numeric and 4 categorical columns and a tag bag, the label a noisy function of
     * a few of them so that a model can learn it.
     */
    public static RawCtrData criteoLike(int rows, long seed) {
        List<FieldSpec> specs = new ArrayList<>();
        specs.add(FieldSpec.log("I1"));
        specs.add(FieldSpec.logBucket("I2", 1));
        specs.add(FieldSpec.log("I3"));
        for (int c = 1; c <= 4; c++) {
            specs.add(c == 4 ? FieldSpec.hashed("C" + c, 16) : FieldSpec.vocabulary("C" + c, FeatureField.Source.ROW, 2));
        }
        specs.add(FieldSpec.bag("tags", FeatureField.Source.ROW, 1, 4));
        RawCtrData raw = new RawCtrData("toy-criteo", specs, false);
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < rows; i++) {
            int c1 = r.nextInt(10);
            int c2 = r.nextInt(30);
            int tag = r.nextInt(6);
            double x = r.nextInt(100);
            double logit = (c1 < 5 ? 1.5 : -1.5) + (tag == 0 ? 1 : 0) + (c2 % 2 == 0 ? 0.8 : -0.8) * (c1 % 2 == 0 ? 1 : -1) + (x > 50 ? 0.5 : -0.5);
            float label = r.nextDouble() < 1 / (1 + Math.exp(-logit)) ? 1f : 0f;
            String tags = tag + (r.nextBoolean() ? "|" + r.nextInt(6) : "");
            raw.addRow(label, null, null, r.nextInt(10) == 0 ? null : Double.toString(x), Integer.toString(r.nextInt(1000)),
                    Double.toString(r.nextDouble() * 5 - 1), "a" + c1, "b" + c2, "c" + r.nextInt(3), "d" + r.nextInt(50), tags);
        }
        return raw;
    }

    static CtrReaders.Encoding encoding() {
        return CtrReaders.Encoding.DEFAULT;
    }
}
