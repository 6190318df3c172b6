-- Insight KPIs per week and platform (docs/kpis.md, The weekly table). An insight counts on the
-- platform of its earliest evidence; one without evidence only on 'all'. Each count uses its
-- own defining date; "by the week's end" compares local weeks: an instant is before the end
-- of week W exactly when its local week is W or earlier.
with insights as (
    select
        platform,
        {{ local_week_start('logged_at') }} as logged_week,
        {{ local_week_start('actioned_at') }} as actioned_week,
        {{ local_week_start('shipped_at') }} as shipped_week,
        {{ local_week_start('closed_loop_at') }} as closed_week,
        days_to_action,
        days_to_ship
    from {{ ref('insights') }}
),

insights_with_all as (
    select * from insights where platform is not null
    union all
    select
        'all', logged_week, actioned_week, shipped_week, closed_week, days_to_action,
        days_to_ship
    from insights
),

logged as (
    select logged_week as week_start, platform, count(*) as insights_logged
    from insights_with_all
    where logged_week is not null
    group by logged_week, platform
),

actioned as (
    select
        actioned_week as week_start,
        platform,
        count(*) as insights_actioned,
        {{ quantile_cont('days_to_action', 0.5) }} as median_days_to_action
    from insights_with_all
    where actioned_week is not null
    group by actioned_week, platform
),

shipped as (
    select
        shipped_week as week_start,
        platform,
        count(*) as insights_shipped,
        {{ quantile_cont('days_to_ship', 0.5) }} as median_days_to_ship
    from insights_with_all
    where shipped_week is not null
    group by shipped_week, platform
),

closed as (
    select closed_week as week_start, platform, count(*) as loops_closed
    from insights_with_all
    where closed_week is not null
    group by closed_week, platform
),

-- Per spine week: insights shipped in it and the 11 weeks before (77 days back), those of
-- them loop-closed by its end, and the open loops (shipped, not closed, by its end).
loops as (
    select
        spine.week_start,
        spine.platform,
        sum(case
            when insights.shipped_week between {{ add_days('spine.week_start', -77) }}
                and spine.week_start
            then 1 else 0
        end) as shipped_12w,
        sum(case
            when insights.shipped_week between {{ add_days('spine.week_start', -77) }}
                and spine.week_start
                and insights.closed_week <= spine.week_start
            then 1 else 0
        end) as closed_12w,
        sum(case
            when insights.shipped_week <= spine.week_start
                and (insights.closed_week is null or insights.closed_week > spine.week_start)
            then 1 else 0
        end) as open_loops
    from {{ ref('int_kpi_weekly__spine') }} as spine
    left join insights_with_all as insights
        on insights.platform = spine.platform
    group by spine.week_start, spine.platform
)

select
    loops.week_start,
    loops.platform,
    coalesce(logged.insights_logged, 0) as insights_logged,
    coalesce(actioned.insights_actioned, 0) as insights_actioned,
    coalesce(shipped.insights_shipped, 0) as insights_shipped,
    coalesce(closed.loops_closed, 0) as loops_closed,
    actioned.median_days_to_action,
    shipped.median_days_to_ship,
    {{ safe_divide('loops.closed_12w', 'loops.shipped_12w') }} as closed_loop_rate_12w,
    coalesce(loops.open_loops, 0) as open_loops
from loops
left join logged
    on logged.week_start = loops.week_start and logged.platform = loops.platform
left join actioned
    on actioned.week_start = loops.week_start and actioned.platform = loops.platform
left join shipped
    on shipped.week_start = loops.week_start and shipped.platform = loops.platform
left join closed
    on closed.week_start = loops.week_start and closed.platform = loops.platform
