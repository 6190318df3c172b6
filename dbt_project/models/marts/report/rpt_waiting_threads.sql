-- Conversations still waiting for an answer: they need a reply (conversations.needs_reply:
-- a problem, complaint, question or idea came before any answer) and nobody answered. Per
-- week (the conversation's week_start), the urgent ones first (an inbound problem or
-- complaint anywhere in the thread), then the oldest. The opening message gives the link
-- and the text; a private message's text is never shown (NULL), whatever
-- publish_private_text says, and it gets no link.
-- Incremental: a build recomputes the weeks of int_weeks__changed (a conversation changes only
-- with its thread, and its week is the week of one of its interactions); the pre-hook first
-- deletes them.
-- A full build runs in slices of weeks (macro interaction_slices: one slice per million
-- interactions; a week's threads are ranked within one slice): at 10M interactions the
-- rankings over every week's waiting threads and their texts ran out of memory in 256MB.
-- depends_on: {{ ref('int_weeks__changed') }}
{{ config(
    materialized='incremental',
    unique_key=['week_start', 'waiting_rank'],
    incremental_strategy='delete+insert',
    pre_hook="{{ delete_changed_rows(ref('int_weeks__changed'), ['week_start']) }}",
    post_hook="{{ insert_other_slices() }}",
) }}
{%- set slices = interaction_slices(var('interaction_slice_rows', 1000000)) %}

with waiting as (
    select platform, thread_id, week_start, started_at, community_turns
    from {{ ref('conversations') }}
    where needs_reply and not answered
        and {{ slice_predicate(['week_start'], slices) }}
        {% if is_incremental() %}
        and week_start in (select week_start from {{ ref('int_weeks__changed') }})
        {% endif %}
),

urgent as (
    select distinct signals.platform, signals.thread_id
    from {{ ref('signals') }} as signals
    inner join waiting
        on waiting.platform = signals.platform
        and waiting.thread_id = signals.thread_id
    where signals.signal_category in ('problem', 'complaint')
),

-- The inbound message that started the thread (created_at = started_at); of two at the
-- same instant, the first by id.
openers as (
    select
        interactions.*,
        row_number() over (
            partition by interactions.platform, interactions.thread_id
            order by interactions.interaction_id
        ) as opener_rank
    from {{ ref('interactions') }} as interactions
    inner join waiting
        on waiting.platform = interactions.platform
        and waiting.thread_id = interactions.thread_id
        and waiting.started_at = interactions.created_at
    where interactions.direction = 'inbound'
),

described as (
    select
        waiting.week_start,
        waiting.platform,
        waiting.thread_id,
        waiting.started_at,
        waiting.community_turns,
        urgent.thread_id is not null as is_urgent,
        {{ interaction_link('openers') }} as thread_url,
        case when not openers.is_private then openers.text end as opening_text
    from waiting
    left join urgent
        on urgent.platform = waiting.platform
        and urgent.thread_id = waiting.thread_id
    left join openers
        on openers.platform = waiting.platform
        and openers.thread_id = waiting.thread_id
        and openers.opener_rank = 1
)

select
    week_start,
    row_number() over (
        partition by week_start
        order by is_urgent desc, started_at, platform, thread_id
    ) as waiting_rank,
    platform,
    thread_id,
    started_at,
    community_turns,
    is_urgent,
    thread_url,
    opening_text
from described
