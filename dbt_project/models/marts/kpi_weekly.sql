-- The weekly table (kpis.md): one row per week_start x platform, plus platform = 'all'
-- computed over every platform (not a sum of rates). Weeks are ISO weeks in the configured
-- time zone; weeks without activity have counts 0 and rates NULL.
with interactions as (
    select platform, direction, {{ local_week_start('created_at') }} as week_start
    from {{ ref('interactions') }}
),

conversations as (
    select platform, week_start, answered, two_way, turns, first_response_minutes
    from {{ ref('conversations') }}
),

interactions_with_all as (
    select week_start, platform, direction from interactions
    union all
    select week_start, 'all', direction from interactions
),

conversations_with_all as (
    select week_start, platform, answered, two_way, turns, first_response_minutes
    from conversations
    union all
    select week_start, 'all', answered, two_way, turns, first_response_minutes
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
        {{ quantile_cont('first_response_minutes', 0.9) }} as p90_first_response_minutes
    from conversations_with_all
    group by week_start, platform
)

select
    spine.week_start,
    spine.platform,
    coalesce(messages.inbound_messages, 0) as inbound_messages,
    coalesce(messages.outbound_messages, 0) as outbound_messages,
    coalesce(dialogue.conversations, 0) as conversations,
    coalesce(dialogue.answered_conversations, 0) as answered_conversations,
    {{ safe_divide('dialogue.answered_conversations', 'dialogue.conversations') }} as response_rate,
    dialogue.median_first_response_minutes,
    dialogue.p90_first_response_minutes,
    {{ safe_divide('dialogue.two_way_conversations', 'dialogue.conversations') }} as two_way_rate,
    dialogue.avg_turns,
    coalesce(signal_kpis.signals, 0) as signals,
    {{ safe_divide('coalesce(signal_kpis.signals, 0)', 'messages.inbound_messages') }} as signal_rate,
    coalesce(signal_kpis.problems, 0) as problems,
    coalesce(signal_kpis.complaints, 0) as complaints,
    coalesce(signal_kpis.ideas, 0) as ideas,
    coalesce(signal_kpis.questions, 0) as questions,
    coalesce(signal_kpis.praise, 0) as praise,
    coalesce(post_kpis.posts, 0) as posts,
    post_kpis.conversation_rate,
    post_kpis.amplification_rate,
    post_kpis.applause_rate,
    post_kpis.engagement_rate,
    follower_kpis.followers_end,
    follower_kpis.follower_delta
from {{ ref('int_kpi_weekly__spine') }} as spine
left join messages
    on messages.week_start = spine.week_start
    and messages.platform = spine.platform
left join dialogue
    on dialogue.week_start = spine.week_start
    and dialogue.platform = spine.platform
left join {{ ref('int_kpi_weekly__signals') }} as signal_kpis
    on signal_kpis.week_start = spine.week_start
    and signal_kpis.platform = spine.platform
left join {{ ref('int_kpi_weekly__posts') }} as post_kpis
    on post_kpis.week_start = spine.week_start
    and post_kpis.platform = spine.platform
left join {{ ref('int_kpi_weekly__followers') }} as follower_kpis
    on follower_kpis.week_start = spine.week_start
    and follower_kpis.platform = spine.platform
