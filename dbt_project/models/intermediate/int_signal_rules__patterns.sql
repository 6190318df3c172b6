-- The phrase, prefix and opener terms of the signal_terms seed compiled into one regular
-- expression per (message language, category): a message runs one regex per category, not one
-- per term. A message of language L uses the terms of L and of '*'; a message of undetermined
-- language ('und') uses every term. int_interactions__signals reads this small table when it
-- is compiled and writes the patterns into its SQL as constants (see macro signal_rule_patterns).
with message_languages as (
    select distinct language from {{ ref('language_markers') }}
    union all
    select 'und'
),

-- phrase: the words anywhere; prefix: a word starting with it; opener: the words at the start
-- of the message or of a sentence (after . ! ?). The classifier matches against its tokens
-- joined by single spaces and padded with a space at both ends, so ' term ' is a whole-word
-- match in any alphabet.
pieces as (
    select
        message_languages.language,
        terms.category,
        case terms.match
            when 'phrase' then ' ' || {{ regex_escape('terms.term') }} || ' '
            when 'prefix' then ' ' || {{ regex_escape('terms.term') }}
            when 'opener' then '(?:^|[.!?]) ' || {{ regex_escape('terms.term') }} || ' '
        end as piece
    from {{ ref('signal_terms') }} as terms
    inner join message_languages
        on terms.language in ('*', message_languages.language)
        or message_languages.language = 'und'
    where terms.match in ('phrase', 'prefix', 'opener')
)

select
    language,
    category,
    '(?:' || {{ dbt.listagg('piece', "'|'", "order by piece") }} || ')' as pattern
from pieces
group by language, category
