package io.panrec.lucene;

import java.util.List;

/**
 * Who a search is for: the raw user id (as in the model's user vocabulary) and/or the raw ids of the
 * items the user interacted with recently, oldest first (for sequential models). Either may be missing:
 * an anonymous user with no history is a cold start, and the rescorer's documented fallback applies.
 *
 * @param userId      the raw user id, or null
 * @param recentItems raw item ids, oldest first; never null (empty if none)
 */
public record UserContext(String userId, List<String> recentItems) {
    public UserContext {
        recentItems = recentItems == null ? List.of() : List.copyOf(recentItems);
    }

    /** A user known by id, without a history. */
    public static UserContext user(String userId) {
        return new UserContext(userId, List.of());
    }

    /** A user without id nor history (every model-based score falls back). */
    public static UserContext anonymous() {
        return new UserContext(null, List.of());
    }

    /** An anonymous session known by its recent items. */
    public static UserContext session(List<String> recentItems) {
        return new UserContext(null, recentItems);
    }

    public UserContext withRecentItems(List<String> items) {
        return new UserContext(userId, items);
    }

    @Override
    public String toString() {
        return (userId == null ? "anonymous user" : "user '" + userId + "'") + (recentItems.isEmpty() ? "" : " with " + recentItems.size() + " recent items");
    }
}
