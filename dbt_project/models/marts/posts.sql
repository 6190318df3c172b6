-- One row per brand post with its latest metrics (docs/kpis.md, Other published relations).
select
    platform,
    post_id,
    account,
    published_at,
    {{ local_week_start('published_at') }} as week_start,
    permalink,
    text,
    reactions,
    comments,
    shares,
    clicks,
    impressions,
    snapshot_at,
    source_format,
    source_file
from {{ ref('int_posts__latest') }}
