-- Jira issues in the canonical backlog shape. Done means a status listed in the
-- backlog_done_statuses seed; the resolution time is Jira's Resolved.
with source as (
    select * from {{ source('jira', 'jira__issues') }}
),

done_statuses as (
    select status from {{ ref('backlog_done_statuses') }}
)

select {{ conform_backlog_items(backlog_issue_expressions('jira')) }}
from source
left join done_statuses
    on done_statuses.status = lower(trim(source.status))
