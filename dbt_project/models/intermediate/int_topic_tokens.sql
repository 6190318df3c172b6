-- The words of every signal's published text, in order, for topics_weekly: URLs and
-- @mentions removed, punctuation and emojis tokens of their own (macro spaced_text), and
-- hyphenated words split ("App-Update" -> App, Update). The case stays: the lemmatiser looks
-- German nouns up as written. Only word tokens of 2+ letters are kept; token_position keeps
-- the place in the text, so two words are neighbours when their positions differ by one
-- (punctuation in between separates them).
with tokenised as (
    select
        platform,
        interaction_id,
        created_at,
        week_start,
        coalesce(language, 'und') as language,
        {{ split_tokens(spaced_text(split_hyphenated_words('text'))) }} as tokens
    from {{ ref('signals') }}
    where text is not null
),

tokens as (
    select
        platform,
        interaction_id,
        created_at,
        week_start,
        language,
        {{ unnest_array('tokens') }} as token,
        {{ array_positions('tokens') }} as token_position
    from tokenised
)

select
    platform,
    interaction_id,
    created_at,
    week_start,
    language,
    token_position,
    -- "customer's" -> "customer"
    case
        when lower(token) like '%''s' then substr(token, 1, length(token) - 2) else token
    end as token
from tokens
where {{ is_word_token('token') }}
    and length(token) >= 2
