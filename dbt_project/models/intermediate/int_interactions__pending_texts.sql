-- The texts whose embedding ops.embedding_cache does not hold yet, as the embedding model
-- reads them (macro classifier_text), with what the per-run budget orders by. A view: it is
-- read when int_signal_embeddings__batch runs (and after it, for the run's count of texts
-- still waiting), so it always lists what is missing at that moment.
{{ config(materialized='view') }}

select
    texts.platform,
    texts.interaction_id,
    texts.created_at,
    texts.text_key,
    {{ classifier_text('latest.text') }} as model_text
from {{ ref('int_interactions__texts') }} as texts
inner join {{ ref('int_interactions__latest') }} as latest
    on latest.platform = texts.platform
    and latest.interaction_id = texts.interaction_id
where texts.text_key is not null
    and not exists (
        select 1 from {{ source('ops', 'embedding_cache') }} as cache
        where cache.text_key = texts.text_key
    )
