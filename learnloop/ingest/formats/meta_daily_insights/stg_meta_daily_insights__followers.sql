-- Follower figures from Meta Business Suite daily insight files: one row per platform and
-- local date. Each metric comes in its own file, so the latest value of each follower metric
-- and day is taken first, then the metrics of a day are put side by side. Other metrics
-- (reach, views, ...) stay in the raw table.
with source as (
    select * from {{ source('meta_daily_insights', 'meta_daily_insights__days') }}
    where metric_kind in ('follows', 'unfollows', 'followers')
        and platform is not null
        and date is not null
),

-- A later export of the same metric and day replaces the earlier one.
latest as (
    select
        *,
        row_number() over (
            partition by platform, metric_kind, date
            order by _loaded_at desc, _source_file desc, _source_row desc
        ) as version_rank
    from source
),

current_values as (
    select
        *,
        row_number() over (
            partition by platform, date
            order by _loaded_at desc, _source_file desc, _source_row desc
        ) as lineage_rank
    from latest
    where version_rank = 1
),

days as (
    select
        platform,
        date,
        max(case when metric_kind = 'followers' then value end) as followers,
        max(case when metric_kind = 'follows' then value end) as follows,
        max(case when metric_kind = 'unfollows' then value end) as unfollows,
        -- Lineage: the most recently loaded of the day's values.
        max(case when lineage_rank = 1 then _source_file end) as source_file,
        max(case when lineage_rank = 1 then _source_row end) as source_row,
        max(_loaded_at) as loaded_at
    from current_values
    group by platform, date
)

select
    {{ conform_followers({
        'platform': "platform",
        'date': "date",
        'followers': "followers",
        'net_change': "case when follows is not null then follows - coalesce(unfollows, 0) end",
        'source_format': "'meta_daily_insights'",
        'source_file': "source_file",
        'source_row': "source_row",
        'loaded_at': "loaded_at",
    }) }}
from days
