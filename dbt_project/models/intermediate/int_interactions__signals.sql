-- Language and signal category of every interaction (docs/kpis.md, Signals), decided by rules kept in
-- seeds (signal_terms, signal_emojis, signal_negations, signal_categories, language_markers),
-- by the learned classifier (sentence embeddings from ops.embedding_cache and the head
-- int_signal_model__head) and by people: a curated label (int_curated_labels__resolved)
-- always wins. How rules and model combine: macro combine_signal, DECISIONLOG.md.
-- Rules: every text is tokenised once; single tokens (words, emojis, '?') are equi-joined to
-- one small lexicon; the phrase, prefix and opener terms of each category are compiled into one
-- constant regular expression per (language, category) (int_signal_rules__patterns), so a
-- message runs about one regex per category, not one per term. Model: one inner product per
-- message and category plus its known word n-grams' weights, a softmax over the categories.
-- Direction is decided in the marts, which publish NULL for outbound.
-- Incremental: a build classifies the versions loaded since the last one, and again the
-- messages the rules classified alone while their embedding was missing, once this build
-- embedded it (int_signal_embeddings__batch). New seed rows, new curated labels or new
-- shipped examples change the build fingerprint, which rebuilds it in full.
-- A full build runs in slices of about a million interactions (macro interaction_slices; dbt
-- variable interaction_slice_rows): the token lists, list sums and per-message windows follow
-- the slice, not the history.
-- depends_on: {{ ref('int_signal_rules__patterns') }}
-- depends_on: {{ ref('int_signal_embeddings__batch') }}
{{ config(
    materialized='incremental',
    unique_key=['platform', 'interaction_id'],
    incremental_strategy='delete+insert',
    post_hook="{{ insert_other_slices() }}",
) }}
{%- set patterns = signal_rule_patterns() %}
{%- set slices = interaction_slices(var('interaction_slice_rows', 1000000)) %}

with
{% if is_incremental() %}
waited as (
    select previous.platform, previous.interaction_id
    from {{ this }} as previous
    inner join {{ ref('int_signal_embeddings__batch') }} as embedded
        on embedded.text_key = previous.text_key
    where previous.model_category is null
),

-- The keys first, then their texts: with the condition on the joined rows, DuckDB joined
-- every message to its text before filtering (1.2-1.5 s at 1M rows for a day; 0.08 s now).
to_classify as (
    select platform, interaction_id
    from {{ ref('int_interactions__latest') }}
    where loaded_at > (select max(loaded_at) from {{ this }})
    union
    select platform, interaction_id from waited
),
{% endif %}

texts as (
    select
        latest.platform,
        latest.interaction_id,
        latest.loaded_at,
        model_texts.text_key,
        model_texts.grams,
        {{ signal_text('latest.text') }} as signal_text
    from {{ ref('int_interactions__latest') }} as latest
    inner join {{ ref('int_interactions__texts') }} as model_texts
        on model_texts.platform = latest.platform
        and model_texts.interaction_id = latest.interaction_id
    where {{ slice_predicate(['latest.platform', 'latest.interaction_id'], slices) }}
        and {{ slice_predicate(['model_texts.platform', 'model_texts.interaction_id'], slices) }}
    {% if is_incremental() %}
        and (latest.platform, latest.interaction_id) in (
            select platform, interaction_id from to_classify
        )
        and (model_texts.platform, model_texts.interaction_id) in (
            select platform, interaction_id from to_classify
        )
    {% endif %}
),

tokenised as (
    select
        platform,
        interaction_id,
        signal_text,
        {{ split_tokens('signal_text') }} as tokens
    from texts
    where signal_text <> ''
),

tokens as (
    select
        platform,
        interaction_id,
        tokens,
        {{ unnest_array('tokens') }} as token,
        {{ array_positions('tokens') }} as token_position
    from tokenised
),

-- Marker words, single-token terms and emojis (without the emoji variation selector U+FE0F,
-- which the tokeniser splits off): what one token can say.
lexicon as (
    select marker as token, 'marker' as kind, language, cast(null as varchar) as category, weight
    from {{ ref('language_markers') }}
    where kind = 'word'
    union all
    select term, 'term', language, category, 0
    from {{ ref('signal_terms') }}
    where match = 'word'
    union all
    select replace(emoji, chr(65039), ''), 'emoji', '*', category, 0
    from {{ ref('signal_emojis') }}
),

hits as (
    select
        tokens.platform,
        tokens.interaction_id,
        lexicon.kind,
        lexicon.language,
        lexicon.category,
        lexicon.weight,
        -- '' before the first token, so that "not in negators" holds there.
        coalesce({{ array_element('tokens.tokens', 'tokens.token_position - 1') }}, '')
            as previous_token,
        coalesce({{ array_element('tokens.tokens', 'tokens.token_position - 2') }}, '')
            as second_previous_token
    from tokens
    inner join lexicon
        on lexicon.token = tokens.token
),

-- Each marker character in the text (ä, ö, ü, ß for German) adds its weight once.
character_markers as (
    select language, marker, weight
    from {{ ref('language_markers') }}
    where kind = 'character'
),

language_scores as (
    select platform, interaction_id, language, sum(weight) as score
    from (
        select platform, interaction_id, language, weight
        from hits
        where kind = 'marker'
        union all
        select tokenised.platform, tokenised.interaction_id, character_markers.language,
            character_markers.weight
        from tokenised
        cross join character_markers
        where strpos(tokenised.signal_text, character_markers.marker) > 0
    ) as evidence
    group by platform, interaction_id, language
),

-- The language with the highest score; 'und' (undetermined) on a tie or without evidence.
ranked_languages as (
    select
        platform,
        interaction_id,
        language,
        score,
        row_number() over (
            partition by platform, interaction_id order by score desc, language
        ) as language_rank,
        lead(score) over (
            partition by platform, interaction_id order by score desc, language
        ) as runner_up_score
    from language_scores
    where score > 0
),

detected as (
    select
        tokenised.platform,
        tokenised.interaction_id,
        ' ' || array_to_string(tokenised.tokens, ' ') || ' ' as padded_text,
        case
            when ranked_languages.score > coalesce(ranked_languages.runner_up_score, 0)
            then ranked_languages.language
            else 'und'
        end as language
    from tokenised
    left join ranked_languages
        on ranked_languages.platform = tokenised.platform
        and ranked_languages.interaction_id = tokenised.interaction_id
        and ranked_languages.language_rank = 1
),

-- A term applies to messages in its own language, to every message when its language is
-- '*', and every term applies to a message of undetermined language.
word_matches as (
    select hits.platform, hits.interaction_id, hits.category
    from hits
    inner join detected
        on detected.platform = hits.platform
        and detected.interaction_id = hits.interaction_id
    where hits.kind in ('term', 'emoji')
        and (hits.language in ('*', detected.language) or detected.language = 'und')
        -- A term is negated when a negator stands one or two tokens before it ("not bad",
        -- "kein großes Problem"); emojis are never negated.
        and not (
            hits.kind = 'term'
            and (
                hits.previous_token in (select negator from {{ ref('signal_negations') }})
                or hits.second_previous_token in (select negator from {{ ref('signal_negations') }})
            )
        )
),

-- One constant regular expression per (language, category) from int_signal_rules__patterns;
-- a message is tested only against the patterns of its own language.
pattern_matches as (
    {%- for rule in patterns %}
    select platform, interaction_id, {{ sql_literal(rule[1]) }} as category
    from detected
    where language = {{ sql_literal(rule[0]) }}
        and {{ regex_contains('padded_text', sql_literal(rule[2])) }}
    union all
    {%- endfor %}
    select platform, interaction_id, category from word_matches where false
),

-- The first category in precedence order wins (problem > complaint > idea > question > praise).
winning as (
    select matches.platform, matches.interaction_id, min(categories.precedence) as precedence
    from (
        select platform, interaction_id, category from word_matches
        union all
        select platform, interaction_id, category from pattern_matches
    ) as matches
    inner join {{ ref('signal_categories') }} as categories
        on categories.category = matches.category
    group by matches.platform, matches.interaction_id
),

-- The model: each cached message's embedding against the head's weights, plus the weights of
-- its word n-grams the head knows (their sum over the square root of their count), a softmax
-- over the categories; the most probable one and its probability.
head as (
    select
        category,
        row_number() over (order by category) as position,
        {{ vector_from_list('weights') }} as weights,
        bias
    from {{ ref('int_signal_model__head') }}
),

-- One row per n-gram with its categories' weights in the order of head.position, as whole
-- multiples of 1e-12: they add up exactly, so in any order the same (an incremental build
-- must publish the confidences of a full one, see model_choice). One row per n-gram rather
-- than per n-gram and category: the join below then makes a sixth of the rows.
head_grams as (
    select
        gram,
        {{ ordered_list('cast(round(weight * 1e12) as bigint)', 'category') }} as weights
    from (
        select
            category,
            {{ unnest_array('grams') }} as gram,
            {{ unnest_array('gram_weights') }} as weight
        from {{ ref('int_signal_model__head') }}
    ) as head_gram_weights
    group by gram
),

message_grams as (
    select platform, interaction_id, {{ unnest_array('grams') }} as gram
    from texts
    where text_key in (select text_key from {{ source('ops', 'embedding_cache') }})
),

gram_sums as (
    select
        message_grams.platform,
        message_grams.interaction_id,
        {{ sum_lists('head_grams.weights') }} as weights,
        count(*) as grams
    from message_grams
    inner join head_grams on head_grams.gram = message_grams.gram
    group by message_grams.platform, message_grams.interaction_id
),

logits as (
    select
        texts.platform,
        texts.interaction_id,
        head.category,
        {{ vector_dot(vector_from_list('cache.embedding'), 'head.weights') }} * cache.scale
            + head.bias
            + coalesce(
                {{ array_element('gram_sums.weights', 'head.position') }} / 1e12
                    / sqrt(gram_sums.grams),
                0
            ) as logit
    from texts
    inner join {{ source('ops', 'embedding_cache') }} as cache
        on cache.text_key = texts.text_key
    cross join head
    left join gram_sums
        on gram_sums.platform = texts.platform
        and gram_sums.interaction_id = texts.interaction_id
),

shifted as (
    select
        platform,
        interaction_id,
        category,
        exp(logit - max(logit) over (partition by platform, interaction_id)) as weight
    from logits
),

model_choice as (
    select
        platform,
        interaction_id,
        {{ arg_max('category', 'weight') }} as category,
        -- A float sum depends in its last bit on the order the rows arrive, which differs
        -- between builds; an incremental build must equal a full one. So the weights (at
        -- most 1) are summed as whole multiples of 1e-15, exactly, in any order.
        max(weight) / (sum(cast(round(weight * 1e15) as bigint)) / 1e15) as confidence
    from shifted
    group by platform, interaction_id
),

decided as (
    select
        texts.platform,
        texts.interaction_id,
        texts.text_key,
        texts.loaded_at,
        -- NULL without text (or only URLs and mentions); 'und' when no or tied language evidence.
        case when texts.signal_text <> '' then coalesce(detected.language, 'und') end as language,
        categories.category as rule_category,
        model_choice.category as model_category,
        model_choice.confidence as model_confidence,
        labels.signal_category as human_category
    from texts
    left join detected
        on detected.platform = texts.platform
        and detected.interaction_id = texts.interaction_id
    left join winning
        on winning.platform = texts.platform
        and winning.interaction_id = texts.interaction_id
    left join {{ ref('signal_categories') }} as categories
        on categories.precedence = winning.precedence
    left join model_choice
        on model_choice.platform = texts.platform
        and model_choice.interaction_id = texts.interaction_id
    left join {{ ref('int_curated_labels__resolved') }} as labels
        on labels.platform = texts.platform
        and labels.interaction_id = texts.interaction_id
),

combined as (
    select
        decided.*,
        {{ combine_signal('decided.human_category', 'decided.model_category') }} as signal_source
    from decided
)

select
    platform,
    interaction_id,
    language,
    case signal_source
        when 'human' then human_category
        when 'model' then model_category
        else coalesce(rule_category, 'none')
    end as signal_category,
    signal_source,
    case when signal_source = 'model' then model_confidence end as signal_confidence,
    rule_category,
    model_category,
    model_confidence,
    text_key,
    loaded_at,
    {{ this_build_started_at() }} as classified_at
from combined
