package io.panrec.lucene;

import io.panrec.autograd.Autograd;
import io.panrec.models.data.Vocabulary;
import io.panrec.models.spi.Batch;
import io.panrec.models.spi.Recommender;
import io.panrec.tensor.Scope;
import io.panrec.tensor.Tensor;

import java.util.List;
import java.util.Objects;

/**
 * A trained model ready to rerank Lucene hits: the {@link Recommender}, the vocabularies that map raw
 * ids to its indices, how candidates are encoded, how scores are combined and what happens to users and
 * items the model does not know. One instance is shared by every search thread; per query, make a
 * {@link #rescorer(UserContext) rescorer} or a {@link #valuesSource values source}.
 *
 * <h2>Fallbacks (cold start)</h2>
 * Unknown ids never throw during a search:
 * <ul>
 *   <li>An <b>unknown user</b> (anonymous, or an id not in the user vocabulary, or no known recent item
 *       for a sequential encoder): {@link UnknownUser#KEEP_FIRST_PASS} (default) returns the first-pass
 *       hits in their order with their scores; {@link UnknownUser#POPULARITY} uses each hit's popularity
 *       prior (the {@value CatalogIndexer#POPULARITY} doc values) as its model score and combines as usual.</li>
 *   <li>An <b>unknown item</b> (a hit without an id, or an id not in the item vocabulary, or a model
 *       score that is not finite): {@link UnknownItem#LOWEST} (default) gives it the lowest model score
 *       among the hits of the query, so among themselves unknown items keep their first-pass order;
 *       {@link UnknownItem#POPULARITY} places it inside the range of the hits' model scores by its
 *       popularity prior, min-max normalised over the hits ({@code min + (max - min) * p̂}).</li>
 *   <li>If no hit at all has a model score, the unknown-user fallback applies.</li>
 * </ul>
 *
 * <h2>Threads and memory</h2>
 * The model must be in evaluation mode ({@code setTraining(false)}); it is never switched, since
 * switching a shared model from a search thread would race. Each model call runs without autograd
 * recording inside its own {@link Scope}, closed before the call returns, so reranking leaves no
 * tensor memory behind.
 */
public final class RerankModel {
    /** What an unknown user gets; see the class comment. */
    public enum UnknownUser { KEEP_FIRST_PASS, POPULARITY }

    /** What an unknown item gets; see the class comment. */
    public enum UnknownItem { LOWEST, POPULARITY }

    private final Recommender model;
    private final Vocabulary items;
    private final Vocabulary users;
    private final CandidateEncoder encoder;
    private final Combination combination;
    private final UnknownUser unknownUser;
    private final UnknownItem unknownItem;
    private final String name;
    final ItemLookup lookup;

    private RerankModel(Builder b) {
        this(b, null);
    }

    private RerankModel(Builder b, ItemLookup shared) {
        this.model = b.model;
        this.items = b.items;
        this.users = b.users;
        this.encoder = b.encoder;
        this.combination = b.combination;
        this.unknownUser = b.unknownUser;
        this.unknownItem = b.unknownItem;
        this.name = b.model.settings().owner();
        boolean needsPrior = unknownUser == UnknownUser.POPULARITY || unknownItem == UnknownItem.POPULARITY;
        this.lookup = shared != null ? shared : new ItemLookup(b.items, b.idField, needsPrior ? b.popularityField : null);
    }

    /**
     * Starts a builder.
     *
     * @param model a model in evaluation mode
     * @param items the item vocabulary the model was trained with: raw ids as indexed in the
     *              {@value CatalogIndexer#ID} field to model indices
     */
    public static Builder builder(Recommender model, Vocabulary items) {
        return new Builder(model, items);
    }

    public static final class Builder {
        private final Recommender model;
        private final Vocabulary items;
        private Vocabulary users;
        private CandidateEncoder encoder = CandidateEncoder.userItem();
        private Combination combination = Combination.blend(0.5);
        private UnknownUser unknownUser = UnknownUser.KEEP_FIRST_PASS;
        private UnknownItem unknownItem = UnknownItem.LOWEST;
        private String idField = CatalogIndexer.ID;
        private String popularityField = CatalogIndexer.POPULARITY;

        private Builder(Recommender model, Vocabulary items) {
            this.model = Objects.requireNonNull(model, "model");
            this.items = Objects.requireNonNull(items, "items");
        }

        /** The user vocabulary the model was trained with; without one every user id is unknown. */
        public Builder users(Vocabulary v) {
            this.users = v;
            return this;
        }

        /** How candidates become a batch; default {@link CandidateEncoder#userItem()}. */
        public Builder encoder(CandidateEncoder e) {
            this.encoder = Objects.requireNonNull(e, "encoder");
            return this;
        }

        /** Default {@code blend(0.5)}. */
        public Builder combination(Combination c) {
            this.combination = Objects.requireNonNull(c, "combination");
            return this;
        }

        public Builder unknownUser(UnknownUser u) {
            this.unknownUser = Objects.requireNonNull(u, "unknownUser");
            return this;
        }

        public Builder unknownItem(UnknownItem i) {
            this.unknownItem = Objects.requireNonNull(i, "unknownItem");
            return this;
        }

        /** The field whose sorted doc values hold the raw item id; default {@value CatalogIndexer#ID}. */
        public Builder idField(String field) {
            this.idField = Objects.requireNonNull(field, "idField");
            return this;
        }

        /** The double doc values field of the popularity prior; default {@value CatalogIndexer#POPULARITY}. */
        public Builder popularityField(String field) {
            this.popularityField = Objects.requireNonNull(field, "popularityField");
            return this;
        }

        /**
         * @throws IllegalArgumentException if the model is in training mode, or a vocabulary is larger
         *                                  than the model's tables (the vocabularies of another model)
         */
        public RerankModel build() {
            if (model.isTraining()) {
                throw new IllegalArgumentException("model " + model.settings().owner() + " is in training mode; call setTraining(false) "
                        + "before reranking with it (dropout would make scores random, and a shared model is never switched from search threads)");
            }
            if (items.size() > model.schema().numItems()) {
                throw new IllegalArgumentException("the item vocabulary has " + items.size() + " ids but model " + model.settings().owner()
                        + " has " + model.schema().numItems() + " items: is it the vocabulary of another model?");
            }
            if (users != null && users.size() > model.schema().numUsers()) {
                throw new IllegalArgumentException("the user vocabulary has " + users.size() + " ids but model " + model.settings().owner()
                        + " has " + model.schema().numUsers() + " users: is it the vocabulary of another model?");
            }
            return new RerankModel(this);
        }
    }

    /** The rescorer for one query of {@code user}; cheap (the user's ids are looked up once here). */
    public RecommenderRescorer rescorer(UserContext user) {
        return new RecommenderRescorer(this, resolve(user));
    }

    /**
     * A {@link org.apache.lucene.search.DoubleValuesSource} of {@code user}'s model score of each
     * document's item, for {@link org.apache.lucene.queries.function.FunctionScoreQuery}: one model call
     * scores every item of the model here, then each document costs one doc-values read.
     *
     * @see ModelScoreValuesSource
     */
    public ModelScoreValuesSource valuesSource(UserContext user, ModelScoreValuesSource.Transform transform, double unknownUserValue) {
        return ModelScoreValuesSource.create(this, resolve(user), transform, unknownUserValue);
    }

    /** {@link #valuesSource(UserContext, ModelScoreValuesSource.Transform, double)} scaled to [0, 1], 1 for unknown users. */
    public ModelScoreValuesSource valuesSource(UserContext user) {
        return valuesSource(user, ModelScoreValuesSource.Transform.MIN_MAX, 1.0);
    }

    /** Maps a context's raw ids to model indices; unknown ones become -1 or are dropped, never an error. */
    public ResolvedUser resolve(UserContext context) {
        Objects.requireNonNull(context, "context");
        int u = context.userId() == null || users == null ? -1 : users.indexOf(context.userId());
        List<String> recent = context.recentItems();
        int[] history = new int[recent.size()];
        int n = 0;
        for (String id : recent) {
            int i = id == null ? -1 : items.indexOf(id);
            if (i >= 0) {
                history[n++] = i;
            }
        }
        return new ResolvedUser(context, u, java.util.Arrays.copyOf(history, n));
    }

    /**
     * The model's scores of {@code candidates} (model item indices) for {@code user}: one
     * {@link Recommender#predict} call, without autograd, inside a scope of its own that is closed before
     * returning.
     *
     * @throws IllegalStateException if the model returns a tensor of the wrong size (a model bug)
     */
    public float[] score(ResolvedUser user, long[] candidates) {
        if (candidates.length == 0) {
            return new float[0];
        }
        try (var _ = Autograd.noGrad(); var _ = Scope.open("rerank")) {
            Batch batch = encoder.encode(user, candidates);
            Tensor scores = model.predict(batch);
            if (scores.numel() != candidates.length) {
                throw new IllegalStateException(name + ".predict returned " + scores.describe() + " for " + candidates.length
                        + " candidates encoded as " + batch + "; expected [" + candidates.length + "]");
            }
            return scores.toFloatArray();
        }
    }

    /**
     * The model's scores of every item (by model index) for {@code user}: one
     * {@link Recommender#fullSortPredict} call for the user-item encoder, else {@link #score} over all
     * items in one batch.
     */
    float[] scoreAll(ResolvedUser user) {
        int n = model.schema().numItems();
        if (encoder instanceof CandidateEncoder.UserItem) {
            try (var _ = Autograd.noGrad(); var _ = Scope.open("rerank-all")) {
                Tensor scores = model.fullSortPredict(Tensor.ofLongs(new long[] {user.user()}));
                if (scores.numel() != n) {
                    throw new IllegalStateException(name + ".fullSortPredict returned " + scores.describe() + " for one user; expected [1, " + n + "]");
                }
                return scores.toFloatArray();
            }
        }
        long[] all = new long[n];
        for (int i = 0; i < n; i++) {
            all[i] = i;
        }
        return score(user, all);
    }

    boolean canScore(ResolvedUser user) {
        return encoder.canScore(user);
    }

    public Recommender model() {
        return model;
    }

    /** The model's name (its settings' owner). */
    public String name() {
        return name;
    }

    public Vocabulary items() {
        return items;
    }

    public Combination combination() {
        return combination;
    }

    public UnknownUser unknownUser() {
        return unknownUser;
    }

    public UnknownItem unknownItem() {
        return unknownItem;
    }

    public CandidateEncoder encoder() {
        return encoder;
    }

    /** A copy with another combination (and the same id cache), e.g. to compare combinations on one model. */
    public RerankModel withCombination(Combination c) {
        Builder b = new Builder(model, items).users(users).encoder(encoder).combination(c).unknownUser(unknownUser).unknownItem(unknownItem);
        return new RerankModel(b, lookup);
    }

    @Override
    public String toString() {
        return "RerankModel[" + name + ", " + combination + ", " + encoder.describe() + ", unknown users: " + unknownUser + ", unknown items: "
                + unknownItem + "]";
    }
}
