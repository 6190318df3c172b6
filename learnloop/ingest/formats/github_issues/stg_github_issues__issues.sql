-- GitHub issues in the canonical backlog shape. CLOSED (listed in backlog_done_statuses as
-- closed) is done, whatever the reason it was closed for: `gh issue list` without
-- stateReason cannot tell "completed" from "not planned".
with source as (
    select * from {{ source('github_issues', 'github_issues__issues') }}
),

done_statuses as (
    select status from {{ ref('backlog_done_statuses') }}
)

select
    {{ conform_backlog_items({
        'source': "'github'",
        'key': "source.item_key",
        'url': "source.url",
        'title': "source.title",
        'status': "lower(source.status)",
        'is_done': "done_statuses.status is not null",
        'created_at': "source.created_at",
        'resolved_at': "source.resolved_at",
        'text': "concat_ws(' ', source.title, source.description)",
        'source_file': "source._source_file",
        'source_row': "source._source_row",
        'loaded_at': "source._loaded_at",
    }) }}
from source
left join done_statuses
    on done_statuses.status = lower(trim(source.status))
