-- The thread of every interaction (docs/kpis.md, Conversations): the source's conversation id
-- where it has one (DMs, inbox tools); otherwise the top-level ancestor found by following
-- parent links until the parent is missing from the data or is not an interaction (e.g. the
-- post itself). A reply whose parent is missing is therefore its own thread root.
-- Incremental: a build resolves the interactions loaded since the last build, plus every
-- member of an earlier thread whose missing parent has now arrived (that thread joins its
-- parent's); resolved_at marks the rows of this build for the models downstream.
{{ config(
    materialized='incremental',
    unique_key=['platform', 'interaction_id'],
    incremental_strategy='delete+insert',
) }}

with recursive interactions as (
    select platform, interaction_id, parent_id, conversation_id, is_private, loaded_at
    from {{ ref('int_interactions__latest') }}
),

{% if is_incremental() %}
loaded as (
    select platform, interaction_id, parent_id
    from interactions
    where loaded_at > (select max(loaded_at) from {{ this }})
),

rejoined_threads as (
    -- Earlier thread roots whose parent is among the newly loaded interactions.
    select earlier.platform, earlier.thread_id
    from {{ this }} as earlier
    inner join interactions as root
        on root.platform = earlier.platform
        and root.interaction_id = earlier.interaction_id
        and root.conversation_id is null
    inner join loaded
        on loaded.platform = root.platform
        and loaded.interaction_id = root.parent_id
    where earlier.thread_id = earlier.interaction_id
),

affected as (
    select platform, interaction_id from loaded
    union
    select earlier.platform, earlier.interaction_id
    from {{ this }} as earlier
    inner join rejoined_threads
        on rejoined_threads.platform = earlier.platform
        and rejoined_threads.thread_id = earlier.thread_id
),

resolving as (
    select interactions.*
    from interactions
    inner join affected
        on affected.platform = interactions.platform
        and affected.interaction_id = interactions.interaction_id
),
{% else %}
resolving as (
    select * from interactions
),
{% endif %}

ancestry (platform, interaction_id, ancestor_id, next_parent_id, depth) as (
    select platform, interaction_id, interaction_id, parent_id, 0
    from resolving
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
),

resolved as (
    select platform, interaction_id, thread_id
    from roots
    where nearest_root = 1

    union all

    select platform, interaction_id, conversation_id as thread_id
    from resolving
    where conversation_id is not null
)

select
    resolved.platform,
    resolved.interaction_id,
    resolved.thread_id,
    {% if is_incremental() %}
    earlier.thread_id as previous_thread_id,
    {% else %}
    cast(null as varchar) as previous_thread_id,
    {% endif %}
    resolving.is_private,
    resolving.loaded_at,
    cast('{{ run_started_at }}' as timestamp with time zone) as resolved_at
from resolved
inner join resolving
    on resolving.platform = resolved.platform
    and resolving.interaction_id = resolved.interaction_id
{% if is_incremental() %}
left join {{ this }} as earlier
    on earlier.platform = resolved.platform
    and earlier.interaction_id = resolved.interaction_id
{% endif %}
