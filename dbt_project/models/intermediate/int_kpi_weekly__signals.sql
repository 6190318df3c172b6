-- Signal KPIs per week and platform (docs/kpis.md, The weekly table): signals (inbound interactions
-- whose category is not 'none') and signals per category, by created_at in the reporting time
-- zone, plus the 'all' row over every platform. signal_rate is computed in kpi_weekly, where
-- inbound_messages is.
-- Incremental: a build recomputes the weeks of int_weeks__changed, as int_kpi_weekly__dialogue.
-- depends_on: {{ ref('int_weeks__changed') }}
{{ config(
    materialized='incremental',
    unique_key=['week_start'],
    incremental_strategy='delete+insert',
    pre_hook="{{ delete_changed_rows(ref('int_weeks__changed'), ['week_start']) }}",
) }}

with signals as (
    select platform, {{ local_week_start('created_at') }} as week_start, signal_category
    from {{ ref('interactions') }}
    where direction = 'inbound'
        and signal_category <> 'none'
        {% if is_incremental() %}
        and {{ instant_in_weeks('created_at', ref('int_weeks__changed')) }}
        {% endif %}
),

signals_with_all as (
    select week_start, platform, signal_category from signals
    union all
    select week_start, 'all', signal_category from signals
)

select
    week_start,
    platform,
    count(*) as signals,
    sum(case when signal_category = 'problem' then 1 else 0 end) as problems,
    sum(case when signal_category = 'complaint' then 1 else 0 end) as complaints,
    sum(case when signal_category = 'idea' then 1 else 0 end) as ideas,
    sum(case when signal_category = 'question' then 1 else 0 end) as questions,
    sum(case when signal_category = 'praise' then 1 else 0 end) as praise
from signals_with_all
group by week_start, platform
