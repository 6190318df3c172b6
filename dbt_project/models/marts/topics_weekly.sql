-- Emerging topics: per week, the words and two-word phrases of that week's signals that are
-- most over-represented against the eight weeks before. Words come from the published signal
-- text (int_topic_tokens; private text only when publish_private_text is set) as lemmas
-- (int_topic_lemmas: "Pakete" -> paket, "lädt" -> laden); stop words (int_topic_stop_words:
-- stopwords-iso plus the seed topic_stop_words) and words under 3 letters are dropped. A
-- phrase is two neighbouring words that are both kept ("Akku lädt nicht" -> akku laden). Each
-- term counts once per signal. A word that this week occurs only inside one of the week's
-- phrases is left out: the phrase says it. The example signal's link is published where it
-- can be rebuilt on the platform's own hosts (macros/links.sql).
-- Incremental: a build recomputes the weeks of int_weeks__changed and the 8 weeks after each
-- (they compare with it), from the tokens of those weeks and the 8 weeks before them; the
-- pre-hook first deletes the weeks it recomputes.
-- depends_on: {{ ref('int_weeks__changed') }}
{%- set topics_per_week = var('topics_per_week', 10) %}
{%- set topic_min_signals = var('topic_min_signals', 2) %}
{%- set history_weeks = 8 %}
{{ config(
    materialized='incremental',
    unique_key=['week_start', 'topic_rank'],
    incremental_strategy='delete+insert',
    pre_hook="{{ delete_changed_rows(changed_weeks_and_following(8), ['week_start']) }}",
) }}

with
{% if is_incremental() %}
recomputed_weeks as (
    select week_start from {{ changed_weeks_and_following(history_weeks) }} as weeks
),

-- The recomputed weeks and the weeks their history reads.
read_weeks as (
    select distinct {{ add_days('recomputed_weeks.week_start', '-7 * history.weeks') }} as week_start
    from recomputed_weeks
    cross join (
        values {% for weeks in range(history_weeks + 1) %}({{ weeks }}){{ ", " if not loop.last }}{% endfor %}
    ) as history (weeks)
),
{% endif %}

stop_words as (
    select distinct word from {{ ref('int_topic_stop_words') }}
),

words as (
    select
        tokens.platform,
        tokens.interaction_id,
        tokens.created_at,
        tokens.week_start,
        tokens.token_position,
        lemmas.lemma as word
    from {{ ref('int_topic_tokens') }} as tokens
    inner join {{ ref('int_topic_lemmas') }} as lemmas
        on lemmas.language = tokens.language
        and lemmas.token = tokens.token
    -- A stop word is dropped whether the text or its lemma is in the list ("hatte" -> haben).
    where length(lemmas.lemma) >= 3
        and lower(tokens.token) not in (select word from stop_words)
        and lemmas.lemma not in (select word from stop_words)
        {% if is_incremental() %}
        and tokens.week_start in (select week_start from read_weeks)
        {% endif %}
),

terms as (
    select platform, interaction_id, created_at, week_start, word as term, 1 as term_words
    from words
    union all
    select
        first_word.platform,
        first_word.interaction_id,
        first_word.created_at,
        first_word.week_start,
        first_word.word || ' ' || second_word.word,
        2
    from words as first_word
    inner join words as second_word
        on second_word.platform = first_word.platform
        and second_word.interaction_id = first_word.interaction_id
        and second_word.token_position = first_word.token_position + 1
    where second_word.word <> first_word.word
),

-- Each term once per signal; the example: the week's first signal with the term (created_at,
-- then platform and id).
term_weeks as (
    select
        week_start,
        term,
        any_value(term_words) as term_words,
        count(*) as signals_this_week,
        max(case when example_rank = 1 then platform end) as example_platform,
        max(case when example_rank = 1 then interaction_id end) as example_interaction_id
    from (
        select
            *,
            row_number() over (
                partition by week_start, term order by created_at, platform, interaction_id
            ) as example_rank
        from (select distinct * from terms) as distinct_terms
    ) as ranked_examples
    group by week_start, term
),

-- A word inside a phrase that reaches the minimum with as many signals as the word itself.
covered_words as (
    select distinct words.week_start, words.term
    from term_weeks as words
    inner join term_weeks as phrases
        on phrases.week_start = words.week_start
        and phrases.term_words = 2
        and phrases.signals_this_week >= {{ topic_min_signals }}
        and phrases.signals_this_week = words.signals_this_week
        and (
            phrases.term like words.term || ' %'
            or phrases.term like '% ' || words.term
        )
    where words.term_words = 1
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
        and previous_weeks.week_start >= {{ add_days('this_week.week_start', -7 * history_weeks) }}
        and previous_weeks.week_start < this_week.week_start
    where this_week.signals_this_week >= {{ topic_min_signals }}
        {% if is_incremental() %}
        and this_week.week_start in (select week_start from recomputed_weeks)
        {% endif %}
        and not exists (
            select 1 from covered_words
            where covered_words.week_start = this_week.week_start
                and covered_words.term = this_week.term
        )
    group by
        this_week.week_start, this_week.term, this_week.signals_this_week,
        this_week.example_platform, this_week.example_interaction_id
),

-- score = signals this week / (1 + mean signals per week over the previous eight weeks):
-- a term new this week scores its count, a term as frequent as usual about 1 or less.
scored as (
    select
        *,
        cast(signals_this_week as {{ type_double() }})
            / (1 + signals_previous_8_weeks / 8.0) as score
    from with_history
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
    ranked.week_start,
    ranked.topic_rank,
    ranked.term,
    ranked.signals_this_week,
    ranked.signals_previous_8_weeks,
    ranked.score,
    ranked.example_platform,
    ranked.example_interaction_id,
    {{ interaction_link('examples') }} as example_url
from ranked
left join {{ ref('interactions') }} as examples
    on examples.platform = ranked.example_platform
    and examples.interaction_id = ranked.example_interaction_id
where ranked.topic_rank <= {{ topics_per_week }}
