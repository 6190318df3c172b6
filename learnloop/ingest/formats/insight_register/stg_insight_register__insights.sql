-- Insight register rows, valid and rejected: the dates are already instants (a date without
-- a time is 00:00 local), rejection_reason is set by the reader for rows that cannot be used.
with source as (
    select * from {{ source('insight_register', 'insight_register__insights') }}
)

select
    insight_id,
    title,
    logged_at,
    lower(category) as category,
    evidence,
    status,
    action_ref,
    actioned_at,
    shipped_at,
    closed_loop_at,
    owner,
    notes,
    rejection_reason,
    _source_file as source_file,
    _source_row as source_row,
    _loaded_at as loaded_at
from source
