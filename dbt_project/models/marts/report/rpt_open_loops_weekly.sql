-- Open loops per week: the insights shipped by the week's end whose loop was not closed by
-- then (kpi_weekly.open_loops counts them on 'all'), each with the threads of its evidence,
-- where the people who told us still deserve to hear that it shipped. One row per week,
-- open insight and evidence thread; an insight without a matched evidence thread has one
-- row with the thread columns NULL. "By the week's end" compares local weeks, as
-- int_kpi_weekly__insights does.
with weeks as (
    select distinct week_start from {{ ref('kpi_weekly') }}
),

shipped as (
    select
        insight_id,
        title,
        shipped_at,
        {{ local_week_start('shipped_at') }} as shipped_week,
        {{ local_week_start('closed_loop_at') }} as closed_week
    from {{ ref('insights') }}
    where shipped_at is not null
),

open_loops as (
    select weeks.week_start, shipped.insight_id, shipped.title, shipped.shipped_at
    from weeks
    inner join shipped
        on shipped.shipped_week <= weeks.week_start
        and (shipped.closed_week is null or shipped.closed_week > weeks.week_start)
),

-- One link per thread: two evidence messages of one thread are one place to answer. The
-- URL pasted as evidence where it is on the platform's hosts, else the rebuilt one; none
-- for a private message.
evidence_threads as (
    select
        evidence.insight_id,
        interactions.platform as thread_platform,
        interactions.thread_id,
        min(case when not interactions.is_private then coalesce(
            {{ platform_link(
                'interactions.platform',
                "case when evidence.reference like 'https://%' then evidence.reference end"
            ) }},
            {{ interaction_link('interactions') }}
        ) end) as thread_url
    from {{ ref('insight_evidence') }} as evidence
    inner join {{ ref('interactions') }} as interactions
        on interactions.platform = evidence.platform
        and interactions.interaction_id = evidence.interaction_id
    where evidence.matched
    group by evidence.insight_id, interactions.platform, interactions.thread_id
)

select
    open_loops.week_start,
    open_loops.insight_id,
    open_loops.title,
    open_loops.shipped_at,
    evidence_threads.thread_platform,
    evidence_threads.thread_id,
    evidence_threads.thread_url
from open_loops
left join evidence_threads
    on evidence_threads.insight_id = open_loops.insight_id
