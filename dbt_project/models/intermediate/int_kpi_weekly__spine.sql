-- One row per week x platform for every week from the first to the last week with any
-- data, for every platform in the data and for 'all' (docs/kpis.md, The weekly table).
-- Data is an interaction or a post with a publish time; a post without one still makes its
-- platform appear. An insight date (logged, actioned, shipped, loop closed) extends the weeks
-- too; insights add no platform (their platform is that of an interaction).
-- Each platform's first and last instant are converted to weeks, not every row: a local week
-- never decreases with the instant, so the week of the first instant is the first week.
with recursive activity as (
    select
        platform,
        {{ local_week_start('min(created_at)') }} as first_week,
        {{ local_week_start('max(created_at)') }} as last_week
    from {{ ref('int_interactions__latest') }}
    group by platform
    union all
    select
        platform,
        {{ local_week_start('min(published_at)') }} as first_week,
        {{ local_week_start('max(published_at)') }} as last_week
    from {{ ref('int_posts__latest') }}
    group by platform
),

insight_weeks as (
    {%- for date_column in ['logged_at', 'actioned_at', 'shipped_at', 'closed_loop_at'] %}
    select {{ local_week_start(date_column) }} as week_start from {{ ref('insights') }}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

bounds as (
    select min(week_start) as first_week, max(week_start) as last_week
    from (
        select first_week as week_start from activity
        union all
        select last_week from activity
        union all
        select week_start from insight_weeks
    ) as dated
    where week_start is not null
),

weeks (week_start) as (
    select first_week from bounds where first_week is not null
    union all
    select {{ add_days('weeks.week_start', 7) }}
    from weeks
    inner join bounds on weeks.week_start < bounds.last_week
),

platforms as (
    select distinct platform from activity
    union all
    select 'all'
)

select weeks.week_start, platforms.platform
from weeks
cross join platforms
