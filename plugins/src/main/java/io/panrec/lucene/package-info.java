/**
 * Apache Lucene meets panrec: index an item catalogue ({@link io.panrec.lucene.CatalogIndexer}), query it
 * ({@link io.panrec.lucene.CatalogQueries}), rerank the hits of a query with a recommender
 * ({@link io.panrec.lucene.RerankModel}, {@link io.panrec.lucene.RecommenderRescorer}), boost a function
 * query by a model ({@link io.panrec.lucene.ModelScoreValuesSource}) and retrieve by a user's vector
 * ({@link io.panrec.lucene.VectorRetriever}).
 *
 * <pre>{@code
 * RerankModel reranker = RerankModel.builder(model, itemVocabulary).users(userVocabulary)
 *         .combination(Combination.rrf()).build();                  // once, shared by all threads
 * TopDocs bm25 = searcher.search(CatalogQueries.text("space adventure"), 100);
 * TopDocs top = reranker.rescorer(UserContext.user("196")).rescore(searcher, bm25, 10);
 * }</pre>
 */
package io.panrec.lucene;
