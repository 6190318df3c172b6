-- Linear issues in the canonical backlog shape. Linear sets Completed exactly when an issue
-- reaches a completed state, so that (or a status in backlog_done_statuses) means done;
-- a canceled issue is not done.
with source as (
    select * from {{ source('linear', 'linear__issues') }}
),

done_statuses as (
    select status from {{ ref('backlog_done_statuses') }}
)

select {{ conform_backlog_items(backlog_issue_expressions(
    'linear',
    is_done="source.canceled_at is null"
        ~ " and (source.resolved_at is not null or done_statuses.status is not null)"
)) }}
from source
left join done_statuses
    on done_statuses.status = lower(trim(source.status))
