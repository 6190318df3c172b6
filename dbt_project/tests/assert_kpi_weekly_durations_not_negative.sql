-- First-response durations are quantiles of conversations.first_response_minutes, which is
-- never negative (docs/kpis.md, Conversations), so the weekly medians and p90 are not either.
-- Returns the rows where one is.
select week_start, platform, median_first_response_minutes, p90_first_response_minutes,
    needing_reply_median_first_response_minutes
from {{ ref('kpi_weekly') }}
where median_first_response_minutes < 0
    or p90_first_response_minutes < 0
    or needing_reply_median_first_response_minutes < 0
