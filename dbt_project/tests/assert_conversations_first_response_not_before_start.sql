-- first_response_at is the earliest outbound created_at at or after started_at (docs/kpis.md,
-- Conversations): never before the conversation started, and first_response_minutes is
-- never negative. Returns the offending conversations.
select platform, thread_id, started_at, first_response_at, first_response_minutes
from {{ ref('conversations') }}
where first_response_at < started_at
    or first_response_minutes < 0
