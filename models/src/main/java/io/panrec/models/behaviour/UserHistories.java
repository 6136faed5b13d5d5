package io.panrec.models.behaviour;

import io.panrec.models.data.Interactions;
import io.panrec.tensor.DType;
import io.panrec.tensor.Scope;
import io.panrec.tensor.Tensor;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Each user's training items in time order (ties in file order), as compressed rows: user {@code u}'s
 * items are {@code items[offsets[u] .. offsets[u+1])}, oldest first. The behaviour models keep it in
 * their state, so that {@code predict(users, items)} and {@code fullSortPredict(users)} work from user
 * indices alone (the user's latest items are the history), and during training take for each positive
 * (u, i) the items u had before i: the model never sees the item it should predict, nor later ones.
 */
final class UserHistories {
    private final int numUsers;
    private final int numItems;
    private final long[] offsets;
    private final long[] items;
    private volatile Map<Long, Integer> positions; // (u * numItems + i) -> first position of i in u's row

    private UserHistories(int numUsers, int numItems, long[] offsets, long[] items) {
        this.numUsers = numUsers;
        this.numItems = numItems;
        this.offsets = offsets;
        this.items = items;
    }

    /** No user has a history (a model not trained yet). */
    static UserHistories empty(int numUsers, int numItems) {
        return new UserHistories(numUsers, numItems, new long[numUsers + 1], new long[0]);
    }

    /** The time-ordered histories of {@code train}. */
    static UserHistories of(Interactions train, int numUsers, int numItems, String model) {
        if (train.numUsers() > numUsers || train.numItems() > numItems) {
            throw new IllegalArgumentException(model + ": the training data has " + train.numUsers() + " users and " + train.numItems()
                    + " items but the model was built for " + numUsers + " and " + numItems);
        }
        int n = train.size();
        long[] offsets = new long[numUsers + 1];
        for (int r = 0; r < n; r++) {
            offsets[train.user(r) + 1]++;
        }
        for (int u = 0; u < numUsers; u++) {
            offsets[u + 1] += offsets[u];
        }
        Integer[] rows = new Integer[n];
        for (int r = 0; r < n; r++) {
            rows[r] = r;
        }
        boolean timed = train.hasTimestamps();
        Arrays.sort(rows, (a, b) -> {
            int c = Integer.compare(train.user(a), train.user(b));
            if (c == 0 && timed) {
                c = Long.compare(train.timestamp(a), train.timestamp(b));
            }
            return c != 0 ? c : Integer.compare(a, b);
        });
        long[] items = new long[n];
        for (int k = 0; k < n; k++) {
            items[k] = train.item(rows[k]);
        }
        return new UserHistories(numUsers, numItems, offsets, items);
    }

    /** State tensors {@code offsets [U+1] I64} and {@code items [nnz] I64}, in the global scope. */
    Tensor offsetsTensor() {
        return global(offsets);
    }

    Tensor itemsTensor() {
        return global(items);
    }

    static Tensor global(long[] values) {
        Tensor t = Tensor.zeros(Scope.global(), DType.I64, values.length);
        for (int i = 0; i < values.length; i++) {
            t.set(values[i], i);
        }
        return t;
    }

    /** Histories read back from state tensors, checked. */
    static UserHistories fromState(Tensor offsetsT, Tensor itemsT, int numUsers, int numItems, String model) {
        String what = model + ".loadState: history";
        if (offsetsT.dtype() != DType.I64 || offsetsT.rank() != 1 || offsetsT.shape(0) != numUsers + 1) {
            throw new IllegalArgumentException(what + " offsets are " + offsetsT.describe() + ", need I64[" + (numUsers + 1) + "]");
        }
        if (itemsT.dtype() != DType.I64 || itemsT.rank() != 1) {
            throw new IllegalArgumentException(what + " items are " + itemsT.describe() + ", need I64[nnz]");
        }
        long[] offsets = offsetsT.contiguous().toLongArray();
        long[] items = itemsT.numel() == 0 ? new long[0] : itemsT.contiguous().toLongArray();
        if (offsets[0] != 0 || offsets[numUsers] != items.length) {
            throw new IllegalArgumentException(what + " offsets must run from 0 to " + items.length + ", got " + offsets[0] + " .. "
                    + offsets[numUsers]);
        }
        for (int u = 0; u < numUsers; u++) {
            if (offsets[u + 1] < offsets[u]) {
                throw new IllegalArgumentException(what + " offsets decrease at user " + u);
            }
        }
        for (long i : items) {
            if (i < 0 || i >= numItems) {
                throw new IllegalArgumentException(what + " holds item " + i + " outside [0, " + numItems + ")");
            }
        }
        return new UserHistories(numUsers, numItems, offsets, items);
    }

    int length(int user) {
        return (int) (offsets[user + 1] - offsets[user]);
    }

    int total() {
        return items.length;
    }

    /** How often each item occurs in the histories: the training popularity. */
    long[] itemCounts() {
        long[] c = new long[numItems];
        for (long i : items) {
            c[(int) i]++;
        }
        return c;
    }

    /** The last (at most) {@code maxLength} items of each user, oldest first. */
    Bag recent(long[] users, int maxLength) {
        long[][] bags = new long[users.length][];
        for (int r = 0; r < users.length; r++) {
            int u = (int) users[r];
            long end = offsets[u + 1];
            long start = Math.max(offsets[u], end - maxLength);
            bags[r] = Arrays.copyOfRange(items, (int) start, (int) end);
        }
        return Bag.of(bags);
    }

    /**
     * For each training pair (users[r], items[r]): the (at most) {@code maxLength} items the user had
     * before the first occurrence of that item in its history; a pair not in the history (not a training
     * positive) gets the user's latest items, as at prediction time.
     */
    Bag before(long[] users, long[] targets, int maxLength) {
        Map<Long, Integer> pos = positions();
        long[][] bags = new long[users.length][];
        for (int r = 0; r < users.length; r++) {
            int u = (int) users[r];
            Integer p = pos.get(users[r] * numItems + targets[r]);
            long end = p == null ? offsets[u + 1] : offsets[u] + p;
            long start = Math.max(offsets[u], end - maxLength);
            bags[r] = Arrays.copyOfRange(items, (int) start, (int) end);
        }
        return Bag.of(bags);
    }

    private Map<Long, Integer> positions() {
        Map<Long, Integer> p = positions;
        if (p == null) {
            p = new HashMap<>(items.length * 2);
            for (int u = 0; u < numUsers; u++) {
                for (long k = offsets[u]; k < offsets[u + 1]; k++) {
                    p.putIfAbsent((long) u * numItems + items[(int) k], (int) (k - offsets[u]));
                }
            }
            positions = p;
        }
        return p;
    }
}
