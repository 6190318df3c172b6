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

{#- The interactions are read from the table wherever they are needed, not through a CTE: one
    that several parts read is materialised whole, and at 10M interactions that wrote and
    spilled the whole table in every daily build (DECISIONLOG.md).
    A full build resolves the whole table; an incremental one the rows of `resolving`. -#}
{%- set latest = ref('int_interactions__latest') %}
{%- set resolving = 'resolving' if is_incremental() else latest %}

with
{% if is_incremental() %}
loaded as (
    select platform, interaction_id, parent_id
    from {{ latest }}
    where loaded_at > (select max(loaded_at) from {{ this }})
),

rejoined_threads as (
    -- Earlier thread roots whose parent is among the newly loaded interactions; as a filter,
    -- so that DuckDB probes the history with the few new rows instead of joining the history
    -- to itself first.
    select earlier.platform, earlier.thread_id
    from {{ this }} as earlier
    where earlier.thread_id = earlier.interaction_id
        and (earlier.platform, earlier.interaction_id) in (
            select root.platform, root.interaction_id
            from {{ latest }} as root
            inner join loaded
                on loaded.platform = root.platform
                and loaded.interaction_id = root.parent_id
            where root.conversation_id is null
        )
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
    select
        latest.platform,
        latest.interaction_id,
        latest.parent_id,
        latest.conversation_id,
        latest.is_private,
        latest.loaded_at
    from {{ latest }} as latest
    inner join affected
        on affected.platform = latest.platform
        and affected.interaction_id = latest.interaction_id
),
{% endif %}

-- One step up: each interaction to resolve (without conversation id) and its parent, when
-- the parent is a known interaction without conversation id. In an incremental build a
-- parent that is not re-resolved already has its thread, which did not change (had its root
-- gained a parent, the parent's whole thread would be re-resolved): the step goes there.
parents as (
    select
        resolving.platform,
        resolving.interaction_id,
        {% if is_incremental() -%}
        coalesce(
            case when reresolved.interaction_id is null then earlier_parent.thread_id end,
            parent.interaction_id
        ) as ancestor_id
        {%- else -%}
        parent.interaction_id as ancestor_id
        {%- endif %}
    from {{ resolving }} as resolving
    inner join {{ latest }} as parent
        on parent.platform = resolving.platform
        and parent.interaction_id = resolving.parent_id
        and parent.conversation_id is null
    {% if is_incremental() -%}
    left join affected as reresolved
        on reresolved.platform = parent.platform
        and reresolved.interaction_id = parent.interaction_id
    left join {{ this }} as earlier_parent
        on earlier_parent.platform = parent.platform
        and earlier_parent.interaction_id = parent.interaction_id
    {% endif -%}
    where resolving.conversation_id is null
),

-- The top-level ancestor by pointer jumping, in plain joins (a recursive walk up the parent
-- links held the whole history in memory at ten million interactions): after pass k each
-- interaction points 2^k steps up, or to its top-level ancestor when that is nearer. A row is
-- `moving` while its ancestor has a parent itself; the rows that stop moving are settled
-- (most after pass 0: replies to a top-level message), and each pass joins only the moving
-- rows, to the rows their ancestors are. Ten passes reach 1024 steps up, where a parent cycle
-- in broken data stops.
jump_0 as (
    select
        step.platform,
        step.interaction_id,
        step.ancestor_id,
        further.interaction_id is not null as moving
    from parents as step
    left join parents as further
        on further.platform = step.platform
        and further.interaction_id = step.ancestor_id
),
{%- for pass in range(1, 11) %}

jump_{{ pass }} as (
    select
        jumping.platform,
        jumping.interaction_id,
        ancestor.ancestor_id,
        ancestor.moving
    from jump_{{ pass - 1 }} as jumping
    inner join (
        {%- for earlier_pass in range(pass) %}
        select * from jump_{{ earlier_pass }}
        {%- if earlier_pass < pass - 1 %} where not moving{% endif %}
        {{- '\n        union all' if not loop.last }}
        {%- endfor %}
    ) as ancestor
        on ancestor.platform = jumping.platform
        and ancestor.interaction_id = jumping.ancestor_id
    where jumping.moving
        -- only the rows the moving ones point at (few), so the join never holds them all
        and (ancestor.platform, ancestor.interaction_id) in (
            select platform, ancestor_id from jump_{{ pass - 1 }} where moving
        )
),
{%- endfor %}

top_level as (
    {%- for pass in range(11) %}
    select platform, interaction_id, ancestor_id from jump_{{ pass }}
    {%- if not loop.last %} where not moving
    union all{% endif %}
    {%- endfor %}
)

select
    resolving.platform,
    resolving.interaction_id,
    coalesce(resolving.conversation_id, top_level.ancestor_id, resolving.interaction_id)
        as thread_id,
    {% if is_incremental() %}
    earlier.thread_id as previous_thread_id,
    {% else %}
    cast(null as varchar) as previous_thread_id,
    {% endif %}
    resolving.is_private,
    resolving.loaded_at,
    {{ this_build_started_at() }} as resolved_at
from {{ resolving }} as resolving
left join top_level
    on top_level.platform = resolving.platform
    and top_level.interaction_id = resolving.interaction_id
{% if is_incremental() %}
left join {{ this }} as earlier
    on earlier.platform = resolving.platform
    and earlier.interaction_id = resolving.interaction_id
{% endif %}
