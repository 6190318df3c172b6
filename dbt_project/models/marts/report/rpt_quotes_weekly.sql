-- "In their words": per week and signal category, up to var('quotes_per_category') quotes,
-- from different members, the longest texts first (they tend to say most), then the
-- earliest. Public messages only: a private message's text is never quoted, even where
-- publish_private_text publishes it. Members appear as member_key, as in signals.
-- Incremental: a build recomputes the weeks of int_weeks__changed; the pre-hook first deletes
-- them.
-- depends_on: {{ ref('int_weeks__changed') }}
{%- set quotes_per_category = var('quotes_per_category', 3) %}
{{ config(
    materialized='incremental',
    unique_key=['week_start', 'signal_category', 'quote_rank'],
    incremental_strategy='delete+insert',
    pre_hook="{{ delete_changed_rows(ref('int_weeks__changed'), ['week_start']) }}",
) }}

with candidates as (
    select
        week_start,
        signal_category,
        platform,
        interaction_id,
        member_key,
        text,
        created_at,
        -- One quote per member: their longest (members without a key count as one).
        row_number() over (
            partition by week_start, signal_category, member_key
            order by length(text) desc, created_at, platform, interaction_id
        ) as member_quote
    from {{ ref('signals') }}
    where not is_private
        and text is not null
        and trim(text) <> ''
        {% if is_incremental() %}
        and week_start in (select week_start from {{ ref('int_weeks__changed') }})
        {% endif %}
),

ranked as (
    select
        *,
        row_number() over (
            partition by week_start, signal_category
            order by length(text) desc, created_at, platform, interaction_id
        ) as quote_rank
    from candidates
    where member_quote = 1
)

select
    week_start,
    signal_category,
    quote_rank,
    platform,
    interaction_id,
    member_key,
    text,
    created_at
from ranked
where quote_rank <= {{ quotes_per_category }}
