-- GitHub issues in the canonical backlog shape. CLOSED (listed in backlog_done_statuses as
-- closed) is done, whatever the reason it was closed for: `gh issue list` without
-- stateReason cannot tell "completed" from "not planned".
with source as (
    select * from {{ source('github_issues', 'github_issues__issues') }}
),

done_statuses as (
    select status from {{ ref('backlog_done_statuses') }}
)

select {{ conform_backlog_items(backlog_issue_expressions('github', status="lower(source.status)")) }}
from source
left join done_statuses
    on done_statuses.status = lower(trim(source.status))
