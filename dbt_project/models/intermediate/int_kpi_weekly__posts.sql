-- Post KPIs per week and platform (docs/kpis.md, The weekly table), by published_at in the
-- reporting time zone, over the brand posts' latest metrics. Each rate's denominator is
-- the week's posts whose platform reports that metric; every rate is NULL when its
-- denominator is 0 or NULL.
with posts as (
    select
        platform,
        {{ local_week_start('published_at') }} as week_start,
        reactions,
        comments,
        shares,
        clicks,
        impressions
    from {{ ref('posts') }}
    where published_at is not null
),

posts_with_all as (
    select * from posts
    union all
    select 'all', week_start, reactions, comments, shares, clicks, impressions from posts
)

select
    week_start,
    platform,
    count(*) as posts,
    {{ safe_divide('sum(comments)', 'count(comments)') }} as conversation_rate,
    {{ safe_divide('sum(shares)', 'count(shares)') }} as amplification_rate,
    {{ safe_divide('sum(reactions)', 'count(reactions)') }} as applause_rate,
    -- A missing component counts as 0; only posts whose impressions are known take part.
    {{ safe_divide(
        'sum(case when impressions is not null then coalesce(reactions, 0) + coalesce(comments, 0)'
        ~ ' + coalesce(shares, 0) + coalesce(clicks, 0) end)',
        'sum(impressions)'
    ) }} as engagement_rate
from posts_with_all
group by week_start, platform
