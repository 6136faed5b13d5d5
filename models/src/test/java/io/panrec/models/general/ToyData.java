package io.panrec.models.general;

import io.panrec.models.data.Interactions;
import io.panrec.models.data.Vocabulary;

import java.util.SplittableRandom;

/**
 * A generated dataset with structure a model can learn quickly: users and items fall into two groups;
 * a user interacts mostly with items of its own group (rated 4-5) and sometimes with the other group's
 * (rated 1-2). Timestamps grow with each user's interactions, so leave-one-out by time works.
 */
public final class ToyData {
    private ToyData() {
    }

    /** {@code users} users with {@code perUser} distinct items each out of {@code items}, seeded. */
    public static Interactions generate(int users, int items, int perUser, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Vocabulary uv = new Vocabulary("users");
        Vocabulary iv = new Vocabulary("items");
        for (int u = 0; u < users; u++) {
            uv.add("u" + u);
        }
        for (int i = 0; i < items; i++) {
            iv.add("i" + i);
        }
        Interactions.Builder b = Interactions.builder(uv, iv, true, true);
        for (int u = 0; u < users; u++) {
            int group = u % 2;
            boolean[] taken = new boolean[items];
            for (int k = 0; k < perUser; k++) {
                boolean own = random.nextDouble() < 0.85;
                int item;
                do {
                    // items 0..items/2-1 form group 0; a skew towards the group's first items gives popularity
                    double x = random.nextDouble();
                    int half = items / 2;
                    int inGroup = (int) (half * x * x);
                    item = (own ? group : 1 - group) * half + inGroup;
                } while (taken[item]);
                taken[item] = true;
                float rating = own ? 4 + random.nextInt(2) : 1 + random.nextInt(2);
                b.add("u" + u, "i" + item, rating, 1_000L * u + k);
            }
        }
        return b.build();
    }
}
