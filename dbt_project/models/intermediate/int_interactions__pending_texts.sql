-- The texts whose embedding ops.embedding_cache does not hold yet, as the embedding model
-- reads them (macro classifier_text), with what the per-run budget orders by. A view: it is
-- read when int_signal_embeddings__batch runs (and after it, for the run's count of texts
-- still waiting), so it always lists what is missing at that moment.
-- The keys missing from the cache first, then the texts of those rows only: written with NOT
-- EXISTS, DuckDB joined every text to its interaction before it dropped the cached ones
-- (5.0 s a read at 10M interactions, 0.4 s now; each run reads it twice).
{{ config(materialized='view') }}

with pending as (
    select texts.platform, texts.interaction_id, texts.created_at, texts.text_key
    from {{ ref('int_interactions__texts') }} as texts
    left join {{ source('ops', 'embedding_cache') }} as cache
        on cache.text_key = texts.text_key
    where texts.text_key is not null
        and cache.text_key is null
)

select
    pending.platform,
    pending.interaction_id,
    pending.created_at,
    pending.text_key,
    {{ classifier_text('latest.text') }} as model_text
from pending
inner join {{ ref('int_interactions__latest') }} as latest
    on latest.platform = pending.platform
    and latest.interaction_id = pending.interaction_id
