-- A backlog item exported again later (a ticket moved on, got resolved) counts once: the
-- most recently loaded version wins, ties broken by the later row in the file.
with ranked as (
    select
        *,
        row_number() over (
            partition by source, key
            order by loaded_at desc, source_file desc, source_row desc
        ) as version_rank
    from {{ ref('int_backlog_items__unioned') }}
    where key is not null
)

select {{ column_list('backlog_items') }}
from ranked
where version_rank = 1
