-- Rates are shares of their denominator: between 0 and 1, and NULL exactly when the week
-- has no conversations (docs/kpis.md: every rate is NULL when its denominator is 0 or NULL).
-- signal_rate likewise against inbound_messages; signals never exceed inbound messages and
-- are at least the sum of the docs/kpis.md categories (a category added by seed counts too).
-- Conversations needing a reply are some of the week's conversations, and their response
-- rate is NULL exactly when there are none.
select week_start, platform, conversations, response_rate, two_way_rate, avg_turns,
    inbound_messages, signals, signal_rate, conversations_needing_reply,
    needing_reply_response_rate
from {{ ref('kpi_weekly') }}
where response_rate < 0 or response_rate > 1
    or two_way_rate < 0 or two_way_rate > 1
    or answered_conversations > conversations
    or (conversations = 0) <> (response_rate is null)
    or (conversations = 0) <> (two_way_rate is null)
    or (conversations = 0) <> (avg_turns is null)
    or closed_loop_rate_12w < 0 or closed_loop_rate_12w > 1
    or signal_rate < 0 or signal_rate > 1
    or signals > inbound_messages
    or (inbound_messages = 0) <> (signal_rate is null)
    or signals < problems + complaints + ideas + questions + praise
    or conversations_needing_reply > conversations
    or needing_reply_response_rate < 0 or needing_reply_response_rate > 1
    or (conversations_needing_reply = 0) <> (needing_reply_response_rate is null)
