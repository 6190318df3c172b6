-- One row per platform, account and date. Exports revise recent days, and some exports give
-- only one figure (a totals file, a daily-follows file), so each figure is taken on its own:
-- the most recently loaded non-NULL total and the most recently loaded non-NULL net change.
with daily as (
    select * from {{ ref('int_followers__unioned') }}
    where date is not null
),

totals as (
    select
        platform, account, date, followers, source_format, source_file,
        row_number() over (
            partition by platform, account, date
            order by loaded_at desc, source_file desc, source_row desc
        ) as recency
    from daily
    where followers is not null
),

changes as (
    select
        platform, account, date, net_change, source_format, source_file, source_row, loaded_at,
        row_number() over (
            partition by platform, account, date
            order by loaded_at desc, source_file desc, source_row desc
        ) as recency
    from daily
    where net_change is not null
),

days as (
    select distinct platform, account, date from daily
)

select
    days.platform,
    days.account,
    days.date,
    totals.followers,
    changes.net_change,
    coalesce(totals.source_format, changes.source_format) as source_format,
    coalesce(totals.source_file, changes.source_file) as source_file,
    changes.source_row,
    changes.loaded_at
from days
left join totals
    on totals.platform = days.platform
    and totals.account is not distinct from days.account
    and totals.date = days.date
    and totals.recency = 1
left join changes
    on changes.platform = days.platform
    and changes.account is not distinct from days.account
    and changes.date = days.date
    and changes.recency = 1
