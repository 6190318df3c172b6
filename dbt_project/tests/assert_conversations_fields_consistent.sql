-- The conversation fields agree with their definitions (docs/kpis.md, Conversations): at least
-- one inbound turn (so at least one turn), turns = community_turns + brand_turns, answered
-- exactly when first_response_at is set, minutes set exactly when answered, two_way only
-- when answered.
-- Only the conversations this build wrote (int_conversations__changed: every one after a full
-- build): each earlier row was checked when it was written.
select platform, thread_id, turns, community_turns, brand_turns, answered, two_way,
    first_response_at, first_response_minutes
from {{ ref('conversations') }}
where (platform, thread_id) in (
        select platform, thread_id from {{ ref('int_conversations__changed') }}
    )
    and (
        community_turns < 1
        or turns < 1
        or turns <> community_turns + brand_turns
        or answered <> (first_response_at is not null)
        or answered <> (first_response_minutes is not null)
        or (two_way and not answered)
    )
