-- first_response_at is the earliest outbound created_at at or after started_at (docs/kpis.md,
-- Conversations): never before the conversation started, and first_response_minutes is
-- never negative. Returns the offending conversations.
-- Only the conversations this build wrote (int_conversations__changed: every one after a full
-- build): each earlier row was checked when it was written.
select platform, thread_id, started_at, first_response_at, first_response_minutes
from {{ ref('conversations') }}
where (platform, thread_id) in (
        select platform, thread_id from {{ ref('int_conversations__changed') }}
    )
    and (first_response_at < started_at or first_response_minutes < 0)
