-- Jira issues in the canonical backlog shape. Done means a status listed in the
-- backlog_done_statuses seed; the resolution time is Jira's Resolved.
with source as (
    select * from {{ source('jira', 'jira__issues') }}
),

done_statuses as (
    select status from {{ ref('backlog_done_statuses') }}
)

select
    {{ conform_backlog_items({
        'source': "'jira'",
        'key': "source.item_key",
        'url': "source.url",
        'title': "source.title",
        'status': "source.status",
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
