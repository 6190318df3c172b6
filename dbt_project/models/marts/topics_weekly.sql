-- Emerging topics: per week, the words of that week's signals that are most over-represented
-- against the eight weeks before. Words come from the published signal text (private text
-- only when publish_private_text is set): lower case, without URLs, @mentions, digits and
-- punctuation, stop words (seed topic_stop_words) and words shorter than 3 letters; a
-- trailing "'s" and an English plural -s (words of 4+ letters not ending in ss, us, is) are
-- removed. Each word counts once per signal.
{%- set topics_per_week = var('topics_per_week', 10) %}
{%- set topic_min_signals = var('topic_min_signals', 2) %}

with signal_tokens as (
    select
        platform,
        interaction_id,
        created_at,
        week_start,
        {{ unnest_array(split_tokens(signal_text('text'))) }} as token
    from {{ ref('signals') }}
    where text is not null
),

words as (
    select
        platform,
        interaction_id,
        created_at,
        week_start,
        case
            when token like '%''s' then substr(token, 1, length(token) - 2)
            else token
        end as word
    from signal_tokens
    where {{ is_word_token('token') }}
),

stop_words as (
    select distinct word from {{ ref('topic_stop_words') }}
),

terms as (
    select distinct
        platform,
        interaction_id,
        created_at,
        week_start,
        case
            when length(word) >= 4
                and word like '%s'
                and not (word like '%ss' or word like '%us' or word like '%is')
            then substr(word, 1, length(word) - 1)
            else word
        end as term
    from words
    where length(word) >= 3
        and word not in (select word from stop_words)
),

-- The example: the week's first signal with the term (created_at, then platform and id).
term_weeks as (
    select
        week_start,
        term,
        count(*) as signals_this_week,
        max(case when example_rank = 1 then platform end) as example_platform,
        max(case when example_rank = 1 then interaction_id end) as example_interaction_id
    from (
        select
            *,
            row_number() over (
                partition by week_start, term order by created_at, platform, interaction_id
            ) as example_rank
        from terms
        -- Stop words apply again after the plural rule ("thanks" -> "thank").
        where term not in (select word from stop_words)
    ) as ranked_examples
    group by week_start, term
),

with_history as (
    select
        this_week.week_start,
        this_week.term,
        this_week.signals_this_week,
        coalesce(sum(previous_weeks.signals_this_week), 0) as signals_previous_8_weeks,
        this_week.example_platform,
        this_week.example_interaction_id
    from term_weeks as this_week
    left join term_weeks as previous_weeks
        on previous_weeks.term = this_week.term
        and previous_weeks.week_start >= {{ add_days('this_week.week_start', -56) }}
        and previous_weeks.week_start < this_week.week_start
    group by
        this_week.week_start, this_week.term, this_week.signals_this_week,
        this_week.example_platform, this_week.example_interaction_id
),

-- score = signals this week / (1 + mean signals per week over the previous eight weeks):
-- a word new this week scores its count, a word as frequent as usual about 1 or less.
scored as (
    select
        *,
        cast(signals_this_week as {{ type_double() }})
            / (1 + signals_previous_8_weeks / 8.0) as score
    from with_history
    where signals_this_week >= {{ topic_min_signals }}
),

ranked as (
    select
        *,
        row_number() over (
            partition by week_start order by score desc, signals_this_week desc, term
        ) as topic_rank
    from scored
)

select
    week_start,
    topic_rank,
    term,
    signals_this_week,
    signals_previous_8_weeks,
    score,
    example_platform,
    example_interaction_id
from ranked
where topic_rank <= {{ topics_per_week }}
