package io.panrec.lucene;

import java.util.Arrays;

/**
 * A {@link UserContext} mapped to the model's dense indices once per query, so that reranking never
 * looks up a user id twice.
 *
 * @param context the context as given
 * @param user    the user's model index, or -1 if the user is anonymous or unknown to the model
 * @param history the model indices of the recent items the model knows, oldest first (unknown ones are
 *                dropped)
 */
public record ResolvedUser(UserContext context, int user, int[] history) {
    public ResolvedUser {
        history = history.clone();
    }

    public boolean knownUser() {
        return user >= 0;
    }

    @Override
    public int[] history() {
        return history.clone();
    }

    int historyLength() {
        return history.length;
    }

    int historyAt(int i) {
        return history[i];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ResolvedUser r && r.user == user && Arrays.equals(r.history, history) && r.context.equals(context);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * context.hashCode() + user) + Arrays.hashCode(history);
    }

    @Override
    public String toString() {
        return context + (user >= 0 ? " (index " + user + ")" : context.userId() != null ? " (unknown to the model)" : "")
                + (history.length > 0 ? ", " + history.length + " known recent items" : "");
    }
}
