-- The text of every interaction as the embedding model reads it (macro classifier_text) and
-- its embedding-cache key. The text itself is kept only while its embedding is missing from
-- ops.embedding_cache (int_signal_embeddings__batch reads it from here): the cache only grows,
-- so a text that was cached when its row was built is never needed again.
-- Incremental: a build adds the versions loaded since the last one.
{{ config(
    materialized='incremental',
    unique_key=['platform', 'interaction_id'],
    incremental_strategy='delete+insert',
) }}

with latest as (
    select
        platform,
        interaction_id,
        created_at,
        loaded_at,
        {{ classifier_text('text') }} as model_text
    from {{ ref('int_interactions__latest') }}
    {% if is_incremental() %}
    where loaded_at > (select max(loaded_at) from {{ this }})
    {% endif %}
),

keyed as (
    select
        latest.*,
        {{ classifier_text_key('latest.model_text', 'settings.model_id') }} as text_key
    from latest
    cross join {{ source('ops', 'classifier_settings') }} as settings
)

select
    keyed.platform,
    keyed.interaction_id,
    keyed.created_at,
    keyed.loaded_at,
    keyed.text_key,
    case when cache.text_key is null then keyed.model_text end as model_text
from keyed
left join {{ source('ops', 'embedding_cache') }} as cache
    on cache.text_key = keyed.text_key
