-- The brand is not pseudonymised and community members are (docs/kpis.md, Actors and Privacy):
-- member_key is NULL on outbound rows and, where set, 16 lower-case hex characters.
-- Only the interactions of the threads this build rewrote (int_conversations__changed:
-- every one after a full build): each earlier row was checked when it was written.
select platform, interaction_id, direction, member_key
from {{ ref('interactions') }}
where (platform, thread_id) in (
        select platform, thread_id from {{ ref('int_conversations__changed') }}
    )
    and (
        (direction = 'outbound' and member_key is not null)
        or length(member_key) <> 16
        or length(trim(lower(member_key), '0123456789abcdef')) <> 0
        or member_key <> lower(member_key)
    )
