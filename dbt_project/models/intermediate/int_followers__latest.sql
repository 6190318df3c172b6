-- One row per platform, account and date: a later export of the same day replaces the
-- earlier one (daily figures are revised by the platforms for a few days).
with ranked as (
    select
        *,
        row_number() over (
            partition by platform, account, date
            order by loaded_at desc, source_file desc, source_row desc
        ) as version_rank
    from {{ ref('int_followers__unioned') }}
    where date is not null
)

select {{ follower_column_list() }}
from ranked
where version_rank = 1
