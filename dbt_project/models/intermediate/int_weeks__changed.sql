-- The weeks (local Mondays) whose weekly rows the latest build may have changed: every week
-- holding an interaction of a thread in int_conversations__changed (a late reply changes its
-- conversation's week, even when it falls in a later week itself). The incremental weekly
-- models recompute exactly these weeks; after a full refresh every week is listed.
select distinct {{ local_week_start('interactions.created_at') }} as week_start
from {{ ref('interactions') }} as interactions
inner join {{ ref('int_conversations__changed') }} as changed
    on changed.platform = interactions.platform
    and changed.thread_id = interactions.thread_id
where interactions.created_at is not null
