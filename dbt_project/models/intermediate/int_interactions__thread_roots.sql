-- The thread of every interaction (kpis.md, Conversations): the source's conversation id
-- where it has one (DMs, inbox tools); otherwise the top-level ancestor found by following
-- parent links until the parent is missing from the data or is not an interaction (e.g. the
-- post itself). A reply whose parent is missing is therefore its own thread root.
with recursive interactions as (
    select platform, interaction_id, parent_id, conversation_id
    from {{ ref('int_interactions__latest') }}
),

ancestry (platform, interaction_id, ancestor_id, next_parent_id, depth) as (
    select platform, interaction_id, interaction_id, parent_id, 0
    from interactions
    where conversation_id is null

    union all

    select ancestry.platform, ancestry.interaction_id, parent.interaction_id,
           parent.parent_id, ancestry.depth + 1
    from ancestry
    inner join interactions as parent
        on parent.platform = ancestry.platform
        and parent.interaction_id = ancestry.next_parent_id
        and parent.conversation_id is null
    -- A parent cycle in broken data must not recurse forever.
    where ancestry.depth < 1000
),

roots as (
    select
        platform,
        interaction_id,
        ancestor_id as thread_id,
        row_number() over (partition by platform, interaction_id order by depth desc) as nearest_root
    from ancestry
)

select platform, interaction_id, thread_id
from roots
where nearest_root = 1

union all

select platform, interaction_id, conversation_id as thread_id
from interactions
where conversation_id is not null
