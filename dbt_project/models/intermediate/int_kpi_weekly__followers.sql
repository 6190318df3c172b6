-- Follower context per week and platform (docs/kpis.md): followers_end = the last total known at
-- or before the week's end; follower_delta = the change of that total against the last total
-- before the week where both are known, else the sum of the week's daily net changes.
-- Per account first, then summed per platform and over all platforms.
with followers as (
    select platform, account, date, followers, net_change
    from {{ ref('followers_daily') }}
),

account_weeks as (
    select weeks.week_start, accounts.platform, accounts.account
    from (select distinct week_start from {{ ref('int_kpi_weekly__spine') }}) as weeks
    cross join (select distinct platform, account from followers) as accounts
),

-- The last total by each week's last day ('end') and by the day before it ('start').
cutoffs as (
    select week_start, platform, account, 'end' as boundary,
           {{ add_days('week_start', 6) }} as last_day
    from account_weeks
    union all
    select week_start, platform, account, 'start', {{ add_days('week_start', -1) }}
    from account_weeks
),

last_totals as (
    select
        cutoffs.week_start,
        cutoffs.platform,
        cutoffs.account,
        cutoffs.boundary,
        followers.followers,
        row_number() over (
            partition by cutoffs.week_start, cutoffs.platform, cutoffs.account, cutoffs.boundary
            order by followers.date desc
        ) as recency
    from cutoffs
    inner join followers
        on followers.platform = cutoffs.platform
        and followers.account = cutoffs.account
        and followers.followers is not null
        and followers.date <= cutoffs.last_day
),

net_changes as (
    select
        account_weeks.week_start,
        account_weeks.platform,
        account_weeks.account,
        sum(followers.net_change) as net_change
    from account_weeks
    inner join followers
        on followers.platform = account_weeks.platform
        and followers.account = account_weeks.account
        and followers.date >= account_weeks.week_start
        and followers.date <= {{ add_days('account_weeks.week_start', 6) }}
    group by account_weeks.week_start, account_weeks.platform, account_weeks.account
),

per_account as (
    select
        account_weeks.week_start,
        account_weeks.platform,
        week_end.followers as followers_end,
        case
            when week_end.followers is not null and week_start_total.followers is not null
                then week_end.followers - week_start_total.followers
            else net_changes.net_change
        end as follower_delta
    from account_weeks
    left join last_totals as week_end
        on week_end.week_start = account_weeks.week_start
        and week_end.platform = account_weeks.platform
        and week_end.account = account_weeks.account
        and week_end.boundary = 'end'
        and week_end.recency = 1
    left join last_totals as week_start_total
        on week_start_total.week_start = account_weeks.week_start
        and week_start_total.platform = account_weeks.platform
        and week_start_total.account = account_weeks.account
        and week_start_total.boundary = 'start'
        and week_start_total.recency = 1
    left join net_changes
        on net_changes.week_start = account_weeks.week_start
        and net_changes.platform = account_weeks.platform
        and net_changes.account = account_weeks.account
)

select week_start, platform, sum(followers_end) as followers_end, sum(follower_delta) as follower_delta
from per_account
group by week_start, platform

union all

select week_start, 'all', sum(followers_end), sum(follower_delta)
from per_account
group by week_start
