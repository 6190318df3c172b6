-- Each evidence reference matched to the interaction it names (Facebook on the comment
-- number, see interaction_reference_key), with that interaction's time and thread. A
-- reference that matches no known interaction keeps matched = false: it is reported
-- (analytics.insight_evidence) and otherwise ignored (docs/kpis.md, Insights).
with references_ as (
    select * from {{ ref('int_insight_evidence__references') }}
),

interactions as (
    select
        platform,
        interaction_id,
        thread_id,
        created_at,
        {{ interaction_reference_key('platform', 'interaction_id') }} as reference_key
    from {{ ref('interactions') }}
)

select
    references_.insight_id,
    references_.origin,
    references_.reference,
    coalesce(interactions.platform, references_.platform) as platform,
    coalesce(interactions.interaction_id, references_.interaction_id) as interaction_id,
    interactions.interaction_id is not null as matched,
    interactions.thread_id,
    interactions.created_at
from references_
left join interactions
    on interactions.platform = references_.platform
    and interactions.reference_key
        = {{ interaction_reference_key('references_.platform', 'references_.interaction_id') }}
