-- The words of every signal's published text, in order, for topics_weekly: URLs and
-- @mentions removed, punctuation and emojis tokens of their own (macro spaced_text), and
-- hyphenated words split ("App-Update" -> App, Update). The case stays: the lemmatiser looks
-- German nouns up as written. Only word tokens of 2+ letters are kept; token_position keeps
-- the place in the text, so two words are neighbours when their positions differ by one
-- (punctuation in between separates them).
-- Incremental: a build tokenises the signals of the threads in int_conversations__changed
-- (as `signals` rewrites them); the pre-hook first deletes those threads' tokens.
-- depends_on: {{ ref('int_conversations__changed') }}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    pre_hook="{{ delete_changed_rows(ref('int_conversations__changed'), ['platform', 'thread_id']) }}",
) }}

{#- The columns every token keeps from its message. -#}
{%- set carried = ['platform', 'interaction_id', 'thread_id', 'created_at', 'week_start', 'language'] %}

with tokenised as (
    select
        signals.platform,
        signals.interaction_id,
        signals.thread_id,
        signals.created_at,
        signals.week_start,
        coalesce(signals.language, 'und') as language,
        {{ split_tokens(spaced_text(split_hyphenated_words('signals.text'))) }} as tokens
    from {{ ref('signals') }} as signals
    {{ only_changed_threads('signals') }}
    where signals.text is not null
),

tokens as (
    select
        {{ carried | join(', ') }},
        {{ unnest_array('tokens') }} as token,
        {{ array_positions('tokens') }} as token_position
    from tokenised
)

select
    {{ carried | join(', ') }},
    token_position,
    -- "customer's" -> "customer"
    case
        when lower(token) like '%''s' then substr(token, 1, length(token) - 2) else token
    end as token
from tokens
where {{ is_word_token('token') }}
    and length(token) >= 2
