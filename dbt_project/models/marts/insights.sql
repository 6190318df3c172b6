-- One row per insight of the register (docs/kpis.md, Insights) with its derived dates, its
-- backlog link and evidence, and the durations from the first evidence.
with insights as (
    select * from {{ ref('int_insights__dates') }}
),

unmatched as (
    select insight_id, count(*) as unmatched_evidence_references
    from {{ ref('int_insight_evidence__resolved') }}
    where not matched
    group by insight_id
)

select
    insights.insight_id,
    insights.title,
    insights.category,
    insights.status,
    insights.owner,
    insights.logged_at,
    insights.first_evidence_at,
    insights.actioned_at,
    insights.shipped_at,
    insights.closed_loop_at,
    insights.evidence_interactions,
    insights.evidence_platforms,
    coalesce(unmatched.unmatched_evidence_references, 0) as unmatched_evidence_references,
    insights.backlog_source,
    insights.backlog_key,
    insights.backlog_url,
    insights.backlog_status,
    insights.platform,
    {{ seconds_between('insights.first_evidence_at', 'insights.actioned_at') }} / 86400.0
        as days_to_action,
    {{ seconds_between('insights.first_evidence_at', 'insights.shipped_at') }} / 86400.0
        as days_to_ship
from insights
left join unmatched
    on unmatched.insight_id = insights.insight_id
