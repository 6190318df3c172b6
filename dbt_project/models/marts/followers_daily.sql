-- Follower counts per account and day: context for the dialogue KPIs, never a goal.
select
    platform,
    coalesce(account, '') as account,
    date,
    followers,
    net_change,
    source_format,
    source_file
from {{ ref('int_followers__latest') }}
