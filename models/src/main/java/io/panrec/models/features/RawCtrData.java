package io.panrec.models.features;

import io.panrec.models.data.ReadReport;
import io.panrec.models.spi.FeatureField;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * CTR data as read, before any vocabulary is fitted: for each row its label and the raw text of its
 * row fields (null when missing), optionally the user and item it concerns, and for user and item
 * fields one raw record per user or item. A {@link FeatureEncoder} fitted on the training rows turns it
 * into {@link CtrData}.
 */
public final class RawCtrData {
    private final String name;
    private final List<FieldSpec> specs;
    private final List<String[]> rows = new ArrayList<>();
    private final List<String> rowUsers = new ArrayList<>();
    private final List<String> rowItems = new ArrayList<>();
    private float[] labels = new float[64];
    private final Map<String, String[]> users = new LinkedHashMap<>();
    private final Map<String, String[]> items = new LinkedHashMap<>();
    private final int rowWidth;
    private final int userWidth;
    private final int itemWidth;
    private final boolean entities;
    private ReadReport report = new ReadReport(List.of());

    /**
     * @param name     a short name for logs ("criteo", "ml-100k-ctr")
     * @param specs    the fields, in the order of their values in {@link #addRow} and {@link #putUser}/{@link #putItem}
     * @param entities whether rows name a user and an item (required when there are user or item fields)
     */
    public RawCtrData(String name, List<FieldSpec> specs, boolean entities) {
        this.name = Objects.requireNonNull(name, "name");
        this.specs = List.copyOf(specs);
        int r = 0;
        int u = 0;
        int i = 0;
        for (FieldSpec s : this.specs) {
            switch (s.source()) {
                case ROW -> r++;
                case USER -> u++;
                case ITEM -> i++;
            }
        }
        if ((u > 0 || i > 0) && !entities) {
            throw new IllegalArgumentException(name + ": user and item fields need rows that name their user and item");
        }
        this.rowWidth = r;
        this.userWidth = u;
        this.itemWidth = i;
        this.entities = entities;
    }

    /** A row: its label (0 or 1), user and item ids (null without entities) and the raw values of the row fields. */
    public void addRow(float label, String user, String item, String... values) {
        if (values.length != rowWidth) {
            throw new IllegalArgumentException(name + ": a row needs " + rowWidth + " row-field values, got " + values.length);
        }
        if (entities && (user == null || item == null)) {
            throw new IllegalArgumentException(name + ": every row names its user and item");
        }
        if (rows.size() == labels.length) {
            labels = java.util.Arrays.copyOf(labels, labels.length * 2);
        }
        labels[rows.size()] = label;
        rows.add(values);
        if (entities) {
            rowUsers.add(user);
            rowItems.add(item);
        }
    }

    /** The raw values of the user fields of {@code user} (in spec order). */
    public void putUser(String user, String... values) {
        put(users, userWidth, "user", user, values);
    }

    /** The raw values of the item fields of {@code item} (in spec order). */
    public void putItem(String item, String... values) {
        put(items, itemWidth, "item", item, values);
    }

    private void put(Map<String, String[]> into, int width, String what, String id, String[] values) {
        if (values.length != width) {
            throw new IllegalArgumentException(name + ": a " + what + " record needs " + width + " values, got " + values.length);
        }
        into.put(Objects.requireNonNull(id, what), values);
    }

    void report(ReadReport r) {
        this.report = r;
    }

    public String name() {
        return name;
    }

    public List<FieldSpec> specs() {
        return specs;
    }

    public int size() {
        return rows.size();
    }

    public boolean hasEntities() {
        return entities;
    }

    public float label(int row) {
        return labels[row];
    }

    /** The raw row-field values of {@code row}. */
    public String[] row(int row) {
        return rows.get(row);
    }

    public String user(int row) {
        return rowUsers.get(row);
    }

    public String item(int row) {
        return rowItems.get(row);
    }

    /** Users with user-field records, in insertion order. */
    public Map<String, String[]> users() {
        return users;
    }

    public Map<String, String[]> items() {
        return items;
    }

    /** What the reader found: records and malformed lines per file. */
    public ReadReport report() {
        return report;
    }

    /** The positions of the specs of {@code source}, in order. */
    int[] specsOf(FeatureField.Source source) {
        int n = 0;
        for (FieldSpec s : specs) {
            if (s.source() == source) {
                n++;
            }
        }
        int[] out = new int[n];
        int k = 0;
        for (int i = 0; i < specs.size(); i++) {
            if (specs.get(i).source() == source) {
                out[k++] = i;
            }
        }
        return out;
    }
}
