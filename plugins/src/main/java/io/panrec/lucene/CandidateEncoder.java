package io.panrec.lucene;

import io.panrec.models.spi.Batch;
import io.panrec.tensor.Tensor;

/**
 * Turns a user and the candidate items of one query into the {@link Batch} a model's
 * {@link io.panrec.models.spi.Recommender#predict} reads: one row per candidate. Which fields a model
 * reads is documented by the model, so the encoder is chosen to match it.
 *
 * <p>Implementations must be stateless (one encoder serves every search thread).
 */
public interface CandidateEncoder {
    /**
     * Whether the model can score candidates for this user at all; false makes the rescorer apply its
     * unknown-user fallback without calling the model.
     */
    boolean canScore(ResolvedUser user);

    /**
     * The batch scoring {@code items} for {@code user}, allocated in the current scope (the rescorer
     * opens and closes one around each call). Called only when {@link #canScore} is true and
     * {@code items} is not empty.
     *
     * @param items model item indices, {@code B} of them
     */
    Batch encode(ResolvedUser user, long[] items);

    /** For explanations and logs. */
    String describe();

    /**
     * {@code users [B]} (the user repeated) and {@code items [B]}: general models (MF, BPR, NeuMF, ...).
     * Needs a known user.
     */
    static CandidateEncoder userItem() {
        return UserItem.INSTANCE;
    }

    /**
     * {@code sequences [B, L]} (the user's known recent items, the last {@code maxLength} of them, the
     * same row repeated), {@code lengths [B]} and {@code items [B]}, plus {@code users [B]} when the user
     * is known: sequential models (GRU4Rec, SASRec, ...). Needs at least one known recent item. Item
     * indices are used as the vocabulary gives them; a model that reserves index 0 for padding has its
     * padding id at index 0 of its vocabulary.
     */
    static CandidateEncoder history(int maxLength) {
        if (maxLength < 1) {
            throw new IllegalArgumentException("history length " + maxLength + " < 1");
        }
        return new History(maxLength);
    }

    /** See {@link #userItem()}. */
    final class UserItem implements CandidateEncoder {
        static final UserItem INSTANCE = new UserItem();

        private UserItem() {
        }

        @Override
        public boolean canScore(ResolvedUser user) {
            return user.knownUser();
        }

        @Override
        public Batch encode(ResolvedUser user, long[] items) {
            long[] users = new long[items.length];
            java.util.Arrays.fill(users, user.user());
            return new Batch().put(Batch.USERS, Tensor.ofLongs(users)).put(Batch.ITEMS, Tensor.ofLongs(items));
        }

        @Override
        public String describe() {
            return "user-item pairs";
        }
    }

    /** See {@link #history(int)}. */
    record History(int maxLength) implements CandidateEncoder {
        @Override
        public boolean canScore(ResolvedUser user) {
            return user.historyLength() > 0;
        }

        @Override
        public Batch encode(ResolvedUser user, long[] items) {
            int total = user.historyLength();
            int l = Math.min(total, maxLength);
            int b = items.length;
            long[] seq = new long[b * l];
            for (int j = 0; j < l; j++) {
                seq[j] = user.historyAt(total - l + j); // the most recent l, oldest first
            }
            for (int r = 1; r < b; r++) {
                System.arraycopy(seq, 0, seq, r * l, l);
            }
            long[] lengths = new long[b];
            java.util.Arrays.fill(lengths, l);
            Batch batch = new Batch().put(Batch.SEQUENCES, Tensor.ofLongs(seq, b, l)).put(Batch.LENGTHS, Tensor.ofLongs(lengths))
                    .put(Batch.ITEMS, Tensor.ofLongs(items));
            if (user.knownUser()) {
                long[] users = new long[b];
                java.util.Arrays.fill(users, user.user());
                batch.put(Batch.USERS, Tensor.ofLongs(users));
            }
            return batch;
        }

        @Override
        public String describe() {
            return "recent-item sequences (up to " + maxLength + ")";
        }
    }
}
