-- One row per evidence reference of an insight (docs/kpis.md, Insights): the register's evidence
-- split on spaces, commas and semicolons, plus every http(s) URL in the text of the linked
-- backlog item. Each reference is mapped to (platform, interaction_id) by the
-- interaction_references macros; one naming no interaction keeps NULLs there.
with register_references as (
    select insight_id, 'register' as origin, reference
    from (
        select insight_id, {{ regex_split_to_rows('evidence', '[[:space:],;]+') }} as reference
        from {{ ref('int_insights__latest') }}
        where evidence is not null
    ) as pieces
    where reference <> ''
),

backlog_urls as (
    select
        insight_id,
        'backlog ' || key as origin,
        {{ regex_matches_to_rows('text', 'https?://[^[:space:]<>"]+') }} as url
    from {{ ref('int_insights__backlog_links') }}
    where text is not null
),

backlog_references as (
    -- A sentence's full stop, comma or closing bracket after a URL is not part of it.
    select insight_id, origin, {{ regex_extract('url', '^(.*[^.,;:!?)\\]])', 1) }} as reference
    from backlog_urls
),

references_ as (
    select * from register_references
    union all
    select * from backlog_references
),

resolved as (
    select distinct
        insight_id,
        origin,
        reference,
        {{ interaction_reference_platform('reference') }} as platform,
        {{ interaction_reference_id('reference') }} as interaction_id
    from references_
)

-- Every register reference counts (and is reported when it matches nothing); of a ticket's
-- URLs only those that name an interaction are evidence (documentation links are not).
select insight_id, origin, reference, platform, interaction_id
from resolved
where origin = 'register' or interaction_id is not null
