-- Every evidence reference of every insight, matched or not: the register's references and
-- the interaction URLs in linked backlog items. An unmatched reference (a typo, an
-- interaction not exported yet, a URL form that names no interaction) is listed here with
-- matched = false and is otherwise ignored (docs/kpis.md, Insights).
select
    insight_id,
    origin,
    reference,
    platform,
    interaction_id,
    matched,
    created_at
from {{ ref('int_insight_evidence__resolved') }}
