package io.panrec.models.data;

import java.util.SplittableRandom;

/** Small generated interaction tables for tests. */
final class Toy {
    private Toy() {
    }

    /** Rows of (user, item, rating, timestamp) given as int quadruples, ids "u<user>" and "i<item>". */
    static Interactions table(int[][] rows) {
        Interactions.Builder b = Interactions.builder(new Vocabulary("users"), new Vocabulary("items"), true, true);
        for (int[] r : rows) {
            b.add("u" + r[0], "i" + r[1], r[2], r[3]);
        }
        return b.build();
    }

    /**
     * {@code users} users each with {@code perUser} distinct items out of {@code items} (item popularity
     * skewed towards low indices), random ratings 1..5 and timestamps; every item appears at least once.
     */
    static Interactions random(int users, int items, int perUser, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Vocabulary uv = new Vocabulary("users");
        Vocabulary iv = new Vocabulary("items");
        for (int i = 0; i < items; i++) {
            iv.add("i" + i);
        }
        Interactions.Builder b = Interactions.builder(uv, iv, true, true);
        for (int u = 0; u < users; u++) {
            boolean[] taken = new boolean[items];
            for (int k = 0; k < perUser; k++) {
                int item;
                do {
                    double x = random.nextDouble();
                    item = (int) (items * x * x); // skewed: low indices are popular
                } while (taken[item]);
                taken[item] = true;
                b.add("u" + u, "i" + item, 1 + random.nextInt(5), 1_000_000L + random.nextInt(100_000));
            }
        }
        return b.build();
    }
}
