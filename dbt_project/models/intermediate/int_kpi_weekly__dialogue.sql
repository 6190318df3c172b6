-- The dialogue part of the weekly table, one row per week_start x platform with activity,
-- plus platform = 'all' computed over every platform (not a sum of rates). Messages count by
-- created_at, conversations by started_at, both in the configured time zone's ISO weeks.
-- Incremental: a build recomputes whole weeks, those of int_weeks__changed (the weeks holding
-- an interaction of a thread the build changed); the pre-hook first deletes them, so a week
-- left without rows goes away.
-- depends_on: {{ ref('int_weeks__changed') }}
{{ config(
    materialized='incremental',
    unique_key=['week_start'],
    incremental_strategy='delete+insert',
    pre_hook="{{ delete_changed_rows(ref('int_weeks__changed'), ['week_start']) }}",
) }}

with interactions as (
    select platform, direction, {{ local_week_start('created_at') }} as week_start
    from {{ ref('interactions') }}
    {% if is_incremental() %}
    where {{ instant_in_weeks('created_at', ref('int_weeks__changed')) }}
    {% endif %}
),

conversations as (
    select platform, week_start, answered, two_way, turns, first_response_minutes, needs_reply
    from {{ ref('conversations') }}
    {% if is_incremental() %}
    where week_start in (select week_start from {{ ref('int_weeks__changed') }})
    {% endif %}
),

interactions_with_all as (
    select week_start, platform, direction from interactions
    union all
    select week_start, 'all', direction from interactions
),

conversations_with_all as (
    select week_start, platform, answered, two_way, turns, first_response_minutes, needs_reply
    from conversations
    union all
    select week_start, 'all', answered, two_way, turns, first_response_minutes, needs_reply
    from conversations
),

messages as (
    select
        week_start,
        platform,
        sum(case when direction = 'inbound' then 1 else 0 end) as inbound_messages,
        sum(case when direction = 'outbound' then 1 else 0 end) as outbound_messages
    from interactions_with_all
    group by week_start, platform
),

dialogue as (
    select
        week_start,
        platform,
        count(*) as conversations,
        sum(case when answered then 1 else 0 end) as answered_conversations,
        sum(case when two_way then 1 else 0 end) as two_way_conversations,
        avg(cast(turns as {{ type_double() }})) as avg_turns,
        {{ quantile_cont('first_response_minutes', 0.5) }} as median_first_response_minutes,
        {{ quantile_cont('first_response_minutes', 0.9) }} as p90_first_response_minutes,
        sum(case when needs_reply then 1 else 0 end) as conversations_needing_reply,
        sum(case when needs_reply and answered then 1 else 0 end) as answered_needing_reply,
        {{ quantile_cont('case when needs_reply then first_response_minutes end', 0.5) }}
            as needing_reply_median_first_response_minutes
    from conversations_with_all
    group by week_start, platform
)

select
    coalesce(messages.week_start, dialogue.week_start) as week_start,
    coalesce(messages.platform, dialogue.platform) as platform,
    coalesce(messages.inbound_messages, 0) as inbound_messages,
    coalesce(messages.outbound_messages, 0) as outbound_messages,
    coalesce(dialogue.conversations, 0) as conversations,
    coalesce(dialogue.answered_conversations, 0) as answered_conversations,
    coalesce(dialogue.two_way_conversations, 0) as two_way_conversations,
    dialogue.avg_turns,
    dialogue.median_first_response_minutes,
    dialogue.p90_first_response_minutes,
    coalesce(dialogue.conversations_needing_reply, 0) as conversations_needing_reply,
    coalesce(dialogue.answered_needing_reply, 0) as answered_needing_reply,
    dialogue.needing_reply_median_first_response_minutes
from messages
full outer join dialogue
    on dialogue.week_start = messages.week_start
    and dialogue.platform = messages.platform
