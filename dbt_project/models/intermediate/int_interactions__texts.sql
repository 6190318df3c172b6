-- The embedding-cache key of every interaction's text: md5 of the model id and the text as
-- the embedding model reads it (macro classifier_text), and the word n-grams the head reads
-- beside the embedding (macro classifier_grams). The text itself is not kept here:
-- int_interactions__pending_texts reads it for the keys the cache does not hold yet.
-- Incremental: a build adds the versions loaded since the last one.
{{ config(
    materialized='incremental',
    unique_key=['platform', 'interaction_id'],
    incremental_strategy='delete+insert',
) }}

select
    latest.platform,
    latest.interaction_id,
    latest.created_at,
    latest.loaded_at,
    {{ classifier_text_key(classifier_text('latest.text'), 'settings.model_id') }} as text_key,
    {{ classifier_grams(classifier_text('latest.text')) }} as grams
from {{ ref('int_interactions__latest') }} as latest
cross join {{ source('ops', 'classifier_settings') }} as settings
{% if is_incremental() %}
where latest.loaded_at > (select max(loaded_at) from {{ this }})
{% endif %}
