package io.panrec.models.features;

import io.panrec.models.spi.FeatureField;

/**
 * The user and item fields of a schema as tables: for each user (item) index the global ids of its
 * single-valued fields, and its bags padded to the layout's bag length with their lengths. A model
 * keeps these in its state so that it can score plain (user, item) pairs.
 *
 * <p>Shapes (U users, I items; Fu, Fi single-valued and Mu, Mi bag fields; Lu, Li bag lengths):
 * {@code userFields [U, Fu]}, {@code userBags [U, Mu, Lu]}, {@code userBagLengths [U, Mu]}, and the
 * same for items. Empty arrays where a group has no fields.
 */
public record SideFeatures(int numUsers, int numItems, long[] userFields, long[] userBags, long[] userBagLengths, long[] itemFields,
                           long[] itemBags, long[] itemBagLengths) {

    /** Tables that map user {@code u} to ids {@code u} and item {@code i} to ids {@code numUsers + i}: the ids-only layout. */
    public static SideFeatures identity(int numUsers, int numItems) {
        long[] u = new long[numUsers];
        long[] it = new long[numItems];
        for (int i = 0; i < numUsers; i++) {
            u[i] = i;
        }
        for (int i = 0; i < numItems; i++) {
            it[i] = numUsers + (long) i;
        }
        return new SideFeatures(numUsers, numItems, u, new long[0], new long[0], it, new long[0], new long[0]);
    }

    /** Checks the table sizes against {@code layout} and every id against its field's range. */
    public void check(FieldLayout layout) {
        check(layout, FeatureField.Source.USER, numUsers, userFields, userBags, userBagLengths);
        check(layout, FeatureField.Source.ITEM, numItems, itemFields, itemBags, itemBagLengths);
    }

    private static void check(FieldLayout layout, FeatureField.Source source, int n, long[] fields, long[] bags, long[] lengths) {
        int[] sc = layout.scalars(source);
        int[] bg = layout.bags(source);
        int l = layout.bagLength(source);
        String what = source.name().toLowerCase(java.util.Locale.ROOT);
        if (fields.length != (long) n * sc.length || bags.length != (long) n * bg.length * l || lengths.length != (long) n * bg.length) {
            throw new IllegalArgumentException("side features: the " + what + " tables hold " + fields.length + " ids, " + bags.length
                    + " bag ids and " + lengths.length + " bag lengths, but the schema needs " + ((long) n * sc.length) + ", "
                    + ((long) n * bg.length * l) + " and " + ((long) n * bg.length) + " for " + n + " " + what + "s");
        }
        for (int e = 0; e < n; e++) {
            for (int j = 0; j < sc.length; j++) {
                inRange(layout, sc[j], fields[e * sc.length + j], what, e);
            }
            for (int j = 0; j < bg.length; j++) {
                long len = lengths[e * bg.length + j];
                if (len < 0 || len > layout.fields().get(bg[j]).maxLength()) {
                    throw new IllegalArgumentException("side features: " + what + " " + e + " bag '" + layout.fields().get(bg[j]).name()
                            + "' has length " + len + ", outside [0, " + layout.fields().get(bg[j]).maxLength() + "]");
                }
                for (int p = 0; p < l; p++) {
                    inRange(layout, bg[j], bags[(e * bg.length + j) * l + p], what, e);
                }
            }
        }
    }

    private static void inRange(FieldLayout layout, int f, long id, String what, int e) {
        long lo = layout.offset(f);
        long hi = lo + layout.fields().get(f).size();
        if (id < lo || id >= hi) {
            throw new IllegalArgumentException("side features: " + what + " " + e + " field '" + layout.fields().get(f).name() + "' has id "
                    + id + ", outside the field's range [" + lo + ", " + hi + ")");
        }
    }
}
