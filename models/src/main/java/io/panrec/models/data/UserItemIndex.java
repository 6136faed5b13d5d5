package io.panrec.models.data;

import java.util.Arrays;

/**
 * The distinct items of each user, sorted ascending, in compressed rows: what samplers and ranking
 * protocols exclude ("the user's positives"). {@link #contains} is a binary search, so membership costs
 * {@code O(log d)} for a user with {@code d} items and the whole index {@code 4 * (numUsers + rows)} bytes.
 *
 * <p>Immutable.
 */
public final class UserItemIndex {
    private final int numUsers;
    private final int numItems;
    private final int[] offsets;   // [numUsers + 1]
    private final int[] items;     // user u's items are items[offsets[u] .. offsets[u+1]), sorted, distinct

    private UserItemIndex(int numUsers, int numItems, int[] offsets, int[] items) {
        this.numUsers = numUsers;
        this.numItems = numItems;
        this.offsets = offsets;
        this.items = items;
    }

    /** The union of the items of each user over the given tables (which must share vocabularies). */
    public static UserItemIndex of(Interactions... tables) {
        if (tables.length == 0) {
            throw new IllegalArgumentException("UserItemIndex.of: no tables");
        }
        Interactions first = tables[0];
        int nu = first.numUsers();
        int ni = first.numItems();
        long total = 0;
        for (Interactions t : tables) {
            if (t.users() != first.users() || t.items() != first.items()) {
                throw new IllegalArgumentException("UserItemIndex.of: tables have different vocabularies; use parts of one split");
            }
            total += t.size();
        }
        if (total > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("UserItemIndex.of: " + total + " rows exceed an int array");
        }
        // counting sort by user, then sort and deduplicate each user's run
        int[] counts = new int[nu + 1];
        for (Interactions t : tables) {
            for (int r = 0; r < t.size(); r++) {
                counts[t.user(r) + 1]++;
            }
        }
        for (int u = 0; u < nu; u++) {
            counts[u + 1] += counts[u];
        }
        int[] raw = new int[(int) total];
        int[] fill = Arrays.copyOf(counts, nu);
        for (Interactions t : tables) {
            for (int r = 0; r < t.size(); r++) {
                raw[fill[t.user(r)]++] = t.item(r);
            }
        }
        int[] offsets = new int[nu + 1];
        int w = 0;
        for (int u = 0; u < nu; u++) {
            int from = counts[u];
            int to = counts[u + 1];
            Arrays.sort(raw, from, to);
            offsets[u] = w;
            for (int k = from; k < to; k++) {
                if (k == from || raw[k] != raw[k - 1]) {
                    raw[w++] = raw[k];
                }
            }
        }
        offsets[nu] = w;
        return new UserItemIndex(nu, ni, offsets, Arrays.copyOf(raw, w));
    }

    /** Users covered (the vocabulary size when built). */
    public int numUsers() {
        return numUsers;
    }

    /** Items in the vocabulary when built. */
    public int numItems() {
        return numItems;
    }

    /** The number of distinct items of {@code user} (0 for a user outside the index). */
    public int count(int user) {
        if (user < 0 || user >= numUsers) {
            return 0;
        }
        return offsets[user + 1] - offsets[user];
    }

    /** Whether {@code user} has {@code item}. */
    public boolean contains(int user, int item) {
        if (user < 0 || user >= numUsers) {
            return false;
        }
        return Arrays.binarySearch(items, offsets[user], offsets[user + 1], item) >= 0;
    }

    /** The items of {@code user}, sorted ascending (a fresh array; empty outside the index). */
    public int[] items(int user) {
        if (user < 0 || user >= numUsers) {
            return new int[0];
        }
        return Arrays.copyOfRange(items, offsets[user], offsets[user + 1]);
    }

    /** The k-th (0-based) smallest item of {@code user}; {@code k < count(user)}. */
    public int item(int user, int k) {
        return items[offsets[user] + k];
    }

    /** Distinct (user, item) pairs in total. */
    public int totalPairs() {
        return items.length;
    }
}
