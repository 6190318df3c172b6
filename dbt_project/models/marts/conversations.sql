-- One row per conversation: a thread with at least one inbound interaction
-- (docs/kpis.md, Conversations). Brand-only threads are not conversations.
-- Incremental: a build recomputes the threads in int_conversations__changed; the pre-hook
-- first deletes them, so a thread that joined another (or lost its last inbound) goes away.
-- depends_on: {{ ref('int_conversations__changed') }}
{{ config(
    materialized='incremental',
    unique_key=['platform', 'thread_id'],
    incremental_strategy='delete+insert',
    pre_hook="{{ delete_changed_rows(ref('int_conversations__changed'), ['platform', 'thread_id']) }}",
    post_hook="{{ insert_other_slices() }}",
) }}
{%- set slices = interaction_slices(var('interaction_slice_rows', 1000000)) %}

with interactions as (
    select interactions.platform, interactions.thread_id, interactions.direction,
           interactions.created_at, interactions.signal_category
    from {{ ref('interactions') }} as interactions
    {{ only_changed_threads('interactions') }}
    where {{ slice_predicate(['interactions.platform', 'interactions.thread_id'], slices) }}
),

threads as (
    select
        platform,
        thread_id,
        min(case when direction = 'inbound' then created_at end) as started_at,
        count(*) as turns,
        sum(case when direction = 'inbound' then 1 else 0 end) as community_turns,
        sum(case when direction = 'outbound' then 1 else 0 end) as brand_turns
    from interactions
    group by platform, thread_id
),

first_responses as (
    select threads.platform, threads.thread_id, min(interactions.created_at) as first_response_at
    from threads
    inner join interactions
        on interactions.platform = threads.platform
        and interactions.thread_id = threads.thread_id
        and interactions.direction = 'outbound'
        and interactions.created_at >= threads.started_at
    group by threads.platform, threads.thread_id
),

returns as (
    -- Threads where the community wrote again after the brand's first reply.
    select distinct first_responses.platform, first_responses.thread_id
    from first_responses
    inner join interactions
        on interactions.platform = first_responses.platform
        and interactions.thread_id = first_responses.thread_id
        and interactions.direction = 'inbound'
        and interactions.created_at > first_responses.first_response_at
),

-- docs/kpis.md needs_reply: an inbound problem, complaint, question or idea written before or at
-- the first response (every inbound one when unanswered). Praise, thanks and none alone ask
-- for no answer; what the community writes after the reply belongs to the next answer.
asking as (
    select distinct threads.platform, threads.thread_id
    from threads
    inner join interactions
        on interactions.platform = threads.platform
        and interactions.thread_id = threads.thread_id
        and interactions.direction = 'inbound'
        and interactions.signal_category in ('problem', 'complaint', 'question', 'idea')
    left join first_responses
        on first_responses.platform = threads.platform
        and first_responses.thread_id = threads.thread_id
    where first_responses.first_response_at is null
        or interactions.created_at <= first_responses.first_response_at
)

select
    threads.platform,
    threads.thread_id,
    threads.started_at,
    {{ local_week_start('threads.started_at') }} as week_start,
    first_responses.first_response_at,
    {{ seconds_between('threads.started_at', 'first_responses.first_response_at') }} / 60.0
        as first_response_minutes,
    first_responses.first_response_at is not null as answered,
    threads.turns,
    threads.community_turns,
    threads.brand_turns,
    returns.thread_id is not null as two_way,
    asking.thread_id is not null as needs_reply
from threads
left join first_responses
    on first_responses.platform = threads.platform
    and first_responses.thread_id = threads.thread_id
left join returns
    on returns.platform = threads.platform
    and returns.thread_id = threads.thread_id
left join asking
    on asking.platform = threads.platform
    and asking.thread_id = threads.thread_id
where threads.community_turns > 0
