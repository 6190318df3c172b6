-- The 'all' row is computed over every platform (docs/kpis.md, The weekly table), so its counts
-- equal the sum of the platform rows of the same week (its rates need not). Returns the weeks
-- where a count differs, or where 'all' or the platform rows are missing. Insight counts
-- may exceed the sum on 'all' (insights without evidence count only there), never fall short.
with platforms as (
    select
        week_start,
        sum(inbound_messages) as inbound_messages,
        sum(outbound_messages) as outbound_messages,
        sum(conversations) as conversations,
        sum(answered_conversations) as answered_conversations,
        sum(posts) as posts,
        sum(signals) as signals,
        sum(problems) as problems,
        sum(complaints) as complaints,
        sum(ideas) as ideas,
        sum(questions) as questions,
        sum(praise) as praise,
        sum(conversations_needing_reply) as conversations_needing_reply,
        sum(insights_logged) as insights_logged,
        sum(insights_actioned) as insights_actioned,
        sum(insights_shipped) as insights_shipped,
        sum(loops_closed) as loops_closed,
        sum(open_loops) as open_loops
    from {{ ref('kpi_weekly') }}
    where platform <> 'all'
    group by week_start
),

all_platforms as (
    select
        week_start, inbound_messages, outbound_messages, conversations, answered_conversations,
        posts, signals, problems, complaints, ideas, questions, praise,
        conversations_needing_reply, insights_logged, insights_actioned, insights_shipped, loops_closed, open_loops
    from {{ ref('kpi_weekly') }}
    where platform = 'all'
)

select
    coalesce(all_platforms.week_start, platforms.week_start) as week_start,
    all_platforms.inbound_messages as all_inbound_messages,
    platforms.inbound_messages as sum_inbound_messages,
    all_platforms.outbound_messages as all_outbound_messages,
    platforms.outbound_messages as sum_outbound_messages,
    all_platforms.conversations as all_conversations,
    platforms.conversations as sum_conversations,
    all_platforms.answered_conversations as all_answered_conversations,
    platforms.answered_conversations as sum_answered_conversations,
    all_platforms.posts as all_posts,
    platforms.posts as sum_posts,
    all_platforms.signals as all_signals,
    platforms.signals as sum_signals,
    all_platforms.problems as all_problems,
    platforms.problems as sum_problems,
    all_platforms.complaints as all_complaints,
    platforms.complaints as sum_complaints,
    all_platforms.ideas as all_ideas,
    platforms.ideas as sum_ideas,
    all_platforms.questions as all_questions,
    platforms.questions as sum_questions,
    all_platforms.praise as all_praise,
    platforms.praise as sum_praise,
    all_platforms.conversations_needing_reply as all_conversations_needing_reply,
    platforms.conversations_needing_reply as sum_conversations_needing_reply
from all_platforms
full outer join platforms
    on platforms.week_start = all_platforms.week_start
where all_platforms.week_start is null
    or platforms.week_start is null
    or all_platforms.inbound_messages <> platforms.inbound_messages
    or all_platforms.outbound_messages <> platforms.outbound_messages
    or all_platforms.conversations <> platforms.conversations
    or all_platforms.answered_conversations <> platforms.answered_conversations
    or all_platforms.posts <> platforms.posts
    or all_platforms.signals <> platforms.signals
    or all_platforms.problems <> platforms.problems
    or all_platforms.complaints <> platforms.complaints
    or all_platforms.ideas <> platforms.ideas
    or all_platforms.questions <> platforms.questions
    or all_platforms.praise <> platforms.praise
    or all_platforms.conversations_needing_reply <> platforms.conversations_needing_reply
    or all_platforms.insights_logged < platforms.insights_logged
    or all_platforms.insights_actioned < platforms.insights_actioned
    or all_platforms.insights_shipped < platforms.insights_shipped
    or all_platforms.loops_closed < platforms.loops_closed
    or all_platforms.open_loops < platforms.open_loops
