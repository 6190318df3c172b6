-- Each insight's backlog item, through its action_ref (docs/kpis.md, Insights): the item's key
-- (NLB-101, ENG-42, owner/repo#12) or its URL. A Jira /browse/KEY, Linear /issue/KEY or
-- GitHub /issues/N URL names the key even where the export has no URL column. When one
-- reference matches items of several tools, the earliest created item wins.
with insights as (
    select
        insight_id,
        trim(action_ref) as action_ref,
        coalesce(
            {{ regex_extract('trim(action_ref)', '/browse/([A-Za-z][A-Za-z0-9_]*-[0-9]+)', 1) }},
            {{ regex_extract('trim(action_ref)', '/issue/([A-Za-z][A-Za-z0-9_]*-[0-9]+)', 1) }},
            {{ regex_extract('trim(action_ref)', 'github\\.com/([^/]+/[^/]+)/issues/[0-9]+', 1) }}
                || '#'
                || {{ regex_extract('trim(action_ref)', 'github\\.com/[^/]+/[^/]+/issues/([0-9]+)', 1) }},
            trim(action_ref)
        ) as action_key
    from {{ ref('int_insights__latest') }}
    where nullif(trim(action_ref), '') is not null
),

matched as (
    select
        insights.insight_id,
        items.source,
        items.key,
        items.url,
        items.status,
        items.is_done,
        items.created_at,
        items.resolved_at,
        items.text,
        row_number() over (
            partition by insights.insight_id
            order by items.created_at, items.source, items.key
        ) as match_rank
    from insights
    inner join {{ ref('int_backlog_items__latest') }} as items
        on upper(items.key) = upper(insights.action_key)
        or items.url = insights.action_ref
)

select insight_id, source, key, url, status, is_done, created_at, resolved_at, text
from matched
where match_rank = 1
