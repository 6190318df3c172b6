-- docs/kpis.md, Signals: the inbound interactions whose category is not 'none', published like
-- interactions (member_key only, private text NULL unless configured, DM ids pseudonymised).
-- Incremental: a build rewrites the threads in int_conversations__changed (those whose
-- interactions it rewrote); the pre-hook first deletes them, so a message that is no longer a
-- signal, or moved to another thread, leaves its old row.
-- depends_on: {{ ref('int_conversations__changed') }}
{{ config(
    materialized='incremental',
    unique_key=['platform', 'interaction_id'],
    incremental_strategy='delete+insert',
    pre_hook="{{ delete_changed_rows(ref('int_conversations__changed'), ['platform', 'thread_id']) }}",
) }}

select
    interactions.platform,
    interactions.interaction_id,
    interactions.thread_id,
    interactions.post_id,
    interactions.member_key,
    interactions.created_at,
    {{ local_week_start('interactions.created_at') }} as week_start,
    interactions.text,
    interactions.is_private,
    interactions.language,
    interactions.signal_category,
    interactions.signal_source,
    interactions.signal_confidence,
    interactions.source_file
from {{ ref('interactions') }} as interactions
{{ only_changed_threads('interactions') }}
where interactions.direction = 'inbound'
    and interactions.signal_category <> 'none'
