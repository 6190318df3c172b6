-- One row per post with its latest metric snapshot: exports report lifetime totals as of
-- their date, so a later export of the same post replaces the earlier one (docs/kpis.md).
with ranked as (
    select
        *,
        row_number() over (
            partition by platform, post_id
            order by snapshot_at desc nulls last, loaded_at desc, source_file desc, source_row desc
        ) as snapshot_rank
    from {{ ref('int_posts__unioned') }}
    where post_id is not null
)

select {{ column_list('posts') }}
from ranked
where snapshot_rank = 1
