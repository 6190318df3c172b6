-- docs/kpis.md, Signals: the inbound interactions whose category is not 'none', published like
-- interactions (member_key only, private text NULL unless configured, DM ids pseudonymised).
select
    platform,
    interaction_id,
    thread_id,
    post_id,
    member_key,
    created_at,
    {{ local_week_start('created_at') }} as week_start,
    text,
    is_private,
    language,
    signal_category,
    signal_source,
    signal_confidence,
    source_file
from {{ ref('interactions') }}
where direction = 'inbound'
    and signal_category <> 'none'
