-- week_start is the local Monday of an ISO week (docs/kpis.md, Time). Returns rows that are not.
select week_start, platform
from {{ ref('kpi_weekly') }}
where extract(isodow from week_start) <> 1
