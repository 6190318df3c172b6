-- The weekly table (docs/kpis.md): one row per week_start x platform, plus platform = 'all'
-- computed over every platform (not a sum of rates). Weeks are ISO weeks in the configured
-- time zone; weeks without activity have counts 0 and rates NULL. The heavy part, the
-- dialogue counts, is the incremental int_kpi_weekly__dialogue; this table only joins.
select
    spine.week_start,
    spine.platform,
    coalesce(dialogue.inbound_messages, 0) as inbound_messages,
    coalesce(dialogue.outbound_messages, 0) as outbound_messages,
    coalesce(dialogue.conversations, 0) as conversations,
    coalesce(dialogue.answered_conversations, 0) as answered_conversations,
    {{ safe_divide('dialogue.answered_conversations', 'dialogue.conversations') }} as response_rate,
    dialogue.median_first_response_minutes,
    dialogue.p90_first_response_minutes,
    {{ safe_divide('dialogue.two_way_conversations', 'dialogue.conversations') }} as two_way_rate,
    dialogue.avg_turns,
    coalesce(signal_kpis.signals, 0) as signals,
    {{ safe_divide('coalesce(signal_kpis.signals, 0)', 'dialogue.inbound_messages') }} as signal_rate,
    coalesce(signal_kpis.problems, 0) as problems,
    coalesce(signal_kpis.complaints, 0) as complaints,
    coalesce(signal_kpis.ideas, 0) as ideas,
    coalesce(signal_kpis.questions, 0) as questions,
    coalesce(signal_kpis.praise, 0) as praise,
    coalesce(insight_kpis.insights_logged, 0) as insights_logged,
    {{ safe_divide('insight_kpis.insights_logged * 1000', 'dialogue.inbound_messages') }}
        as insight_yield_per_1k,
    coalesce(insight_kpis.insights_actioned, 0) as insights_actioned,
    coalesce(insight_kpis.insights_shipped, 0) as insights_shipped,
    coalesce(insight_kpis.loops_closed, 0) as loops_closed,
    insight_kpis.median_days_to_action,
    insight_kpis.median_days_to_ship,
    insight_kpis.closed_loop_rate_12w,
    coalesce(insight_kpis.open_loops, 0) as open_loops,
    coalesce(post_kpis.posts, 0) as posts,
    post_kpis.conversation_rate,
    post_kpis.amplification_rate,
    post_kpis.applause_rate,
    post_kpis.engagement_rate,
    follower_kpis.followers_end,
    follower_kpis.follower_delta,
    coalesce(dialogue.conversations_needing_reply, 0) as conversations_needing_reply,
    {{ safe_divide('dialogue.answered_needing_reply', 'dialogue.conversations_needing_reply') }}
        as needing_reply_response_rate,
    dialogue.needing_reply_median_first_response_minutes
from {{ ref('int_kpi_weekly__spine') }} as spine
{#- Each part has at most one row per week and platform of the spine, joined the same way. #}
{%- for alias, model in [
    ('dialogue', 'int_kpi_weekly__dialogue'),
    ('signal_kpis', 'int_kpi_weekly__signals'),
    ('post_kpis', 'int_kpi_weekly__posts'),
    ('insight_kpis', 'int_kpi_weekly__insights'),
    ('follower_kpis', 'int_kpi_weekly__followers'),
] %}
left join {{ ref(model) }} as {{ alias }}
    on {{ alias }}.week_start = spine.week_start
    and {{ alias }}.platform = spine.platform
{%- endfor %}
