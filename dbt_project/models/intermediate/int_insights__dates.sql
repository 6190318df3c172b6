-- The dates of every insight with the derivation rules of docs/kpis.md (Insights): the register's
-- value first, else what the linked backlog item and the evidence say.
-- first_evidence_at: earliest evidence interaction, else logged_at; the platform of that
-- interaction attributes the insight (ties: the lower platform name), NULL without evidence.
-- actioned_at: the backlog item's created time, whatever its status.
-- shipped_at: the backlog item's resolution time, only when its status is done.
-- closed_loop_at: earliest outbound interaction after shipped_at in a thread that holds an
-- evidence interaction of the insight.
with insights as (
    select * from {{ ref('int_insights__latest') }}
),

evidence as (
    select distinct insight_id, platform, interaction_id, thread_id, created_at
    from {{ ref('int_insight_evidence__resolved') }}
    where matched
),

earliest_evidence as (
    select insight_id, platform, created_at
    from (
        select
            insight_id,
            platform,
            created_at,
            row_number() over (
                partition by insight_id order by created_at, platform, interaction_id
            ) as evidence_rank
        from evidence
    ) as ranked
    where evidence_rank = 1
),

evidence_counts as (
    select insight_id, count(*) as evidence_interactions, count(distinct platform) as evidence_platforms
    from evidence
    group by insight_id
),

with_backlog as (
    select
        insights.*,
        links.source as backlog_source,
        links.key as backlog_key,
        links.url as backlog_url,
        links.status as backlog_status,
        coalesce(insights.actioned_at, links.created_at) as actioned_at_derived,
        coalesce(
            insights.shipped_at,
            case when links.is_done then links.resolved_at end
        ) as shipped_at_derived
    from insights
    left join {{ ref('int_insights__backlog_links') }} as links
        on links.insight_id = insights.insight_id
),

loop_replies as (
    select with_backlog.insight_id, min(replies.created_at) as closed_loop_at
    from with_backlog
    inner join evidence
        on evidence.insight_id = with_backlog.insight_id
    inner join {{ ref('interactions') }} as replies
        on replies.platform = evidence.platform
        and replies.thread_id = evidence.thread_id
        and replies.direction = 'outbound'
        and replies.created_at > with_backlog.shipped_at_derived
    where with_backlog.closed_loop_at is null
    group by with_backlog.insight_id
)

select
    with_backlog.insight_id,
    with_backlog.title,
    with_backlog.category,
    with_backlog.status,
    with_backlog.owner,
    with_backlog.logged_at,
    coalesce(earliest_evidence.created_at, with_backlog.logged_at) as first_evidence_at,
    earliest_evidence.platform,
    coalesce(evidence_counts.evidence_interactions, 0) as evidence_interactions,
    coalesce(evidence_counts.evidence_platforms, 0) as evidence_platforms,
    with_backlog.backlog_source,
    with_backlog.backlog_key,
    with_backlog.backlog_url,
    with_backlog.backlog_status,
    with_backlog.actioned_at_derived as actioned_at,
    with_backlog.shipped_at_derived as shipped_at,
    coalesce(with_backlog.closed_loop_at, loop_replies.closed_loop_at) as closed_loop_at
from with_backlog
left join earliest_evidence
    on earliest_evidence.insight_id = with_backlog.insight_id
left join evidence_counts
    on evidence_counts.insight_id = with_backlog.insight_id
left join loop_replies
    on loop_replies.insight_id = with_backlog.insight_id
