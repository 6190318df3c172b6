-- Language and signal category of every interaction (kpis.md, Signals), by rules kept in
-- seeds: signal_terms, signal_emojis, signal_negations, signal_categories, language_markers;
-- a curated label (int_curated_labels__resolved) overrides the rules' category.
-- Every text is tokenised once; single tokens (words, emojis, '?') are equi-joined to one
-- small lexicon; the phrase, prefix and opener terms of each category are compiled into one
-- constant regular expression per (language, category) (int_signal_rules__patterns), so a
-- message runs about one regex per category, not one per term. Direction is decided in the
-- marts, which publish NULL for outbound.
-- Incremental: a build classifies only the versions loaded since the last one (a new seed
-- row or a new curated label changes the build fingerprint, which rebuilds it in full).
-- depends_on: {{ ref('int_signal_rules__patterns') }}
{{ config(
    materialized='incremental',
    unique_key=['platform', 'interaction_id'],
    incremental_strategy='delete+insert',
) }}
{%- set patterns = signal_rule_patterns() %}

with texts as (
    select platform, interaction_id, loaded_at, {{ signal_text('text') }} as signal_text
    from {{ ref('int_interactions__latest') }}
    {% if is_incremental() %}
    where loaded_at > (select max(loaded_at) from {{ this }})
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
)

select
    texts.platform,
    texts.interaction_id,
    -- NULL without text (or only URLs and mentions); 'und' when no or tied language evidence.
    case when texts.signal_text <> '' then coalesce(detected.language, 'und') end as language,
    -- A category set by a person in a curated labels file overrides the rules (kpis.md).
    coalesce(labels.signal_category, categories.category, 'none') as signal_category,
    case when labels.signal_category is not null then 'human' else 'rule' end as signal_source,
    texts.loaded_at
from texts
left join detected
    on detected.platform = texts.platform
    and detected.interaction_id = texts.interaction_id
left join winning
    on winning.platform = texts.platform
    and winning.interaction_id = texts.interaction_id
left join {{ ref('signal_categories') }} as categories
    on categories.precedence = winning.precedence
left join {{ ref('int_curated_labels__resolved') }} as labels
    on labels.platform = texts.platform
    and labels.interaction_id = texts.interaction_id
