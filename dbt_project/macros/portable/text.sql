{#- Text matching for the signal classifier. Regular-expression flavours and list (array)
    functions differ per engine; models call these, adapters implement them. -#}

{#- Lower-case text with URLs and @mentions removed and every character that is not a letter,
    digit, apostrophe or space set apart by spaces (spaced_text): what the rules read. -#}
{% macro signal_text(expression) -%}
    {{ learnloop.spaced_text('lower(' ~ expression ~ ')') }}
{%- endmacro %}

{#- Text with URLs and @mentions (also Mastodon's @user@instance) removed and every character
    that is not a letter, digit, apostrophe or space set apart by spaces, so an emoji, '?' or
    '.' becomes a token of its own. A handle or a link never triggers a rule. The case stays
    (topics look German nouns up as written). -#}
{% macro spaced_text(expression) -%}
    {{ return(adapter.dispatch('spaced_text', 'learnloop')(expression)) }}
{%- endmacro %}

{% macro default__spaced_text(expression) -%}
    trim(regexp_replace(
        regexp_replace(
            regexp_replace(
                replace({{ expression }}, '’', ''''),
                '(https?://|www\.)[^[:space:]]+', ' ', 'g'
            ),
            '@[[:alnum:]_.-]+', ' ', 'g'
        ),
        '([^[:alnum:]''[:space:]])', ' \1 ', 'g'
    ))
{%- endmacro %}

{% macro duckdb__spaced_text(expression) -%}
    trim(regexp_replace(
        regexp_replace(
            regexp_replace(
                replace({{ expression }}, '’', ''''),
                '(?:https?://|www\.)\S+', ' ', 'g'
            ),
            '@[\p{L}\p{N}_.\-]+', ' ', 'g'
        ),
        '([^\p{L}\p{N}''\s])', ' \1 ', 'g'
    ))
{%- endmacro %}


{#- The tokens of a signal_text(): an array split at runs of white space. -#}
{% macro split_tokens(expression) -%}
    {{ return(adapter.dispatch('split_tokens', 'learnloop')(expression)) }}
{%- endmacro %}

{% macro default__split_tokens(expression) -%}
    regexp_split_to_array({{ expression }}, '[[:space:]]+')
{%- endmacro %}

{% macro duckdb__split_tokens(expression) -%}
    string_split_regex({{ expression }}, '\s+')
{%- endmacro %}


{#- One row per array element: use in a select list, together with array_positions(). -#}
{% macro unnest_array(array) -%}
    {{ return(adapter.dispatch('unnest_array', 'learnloop')(array)) }}
{%- endmacro %}

{% macro default__unnest_array(array) -%}
    unnest({{ array }})
{%- endmacro %}

{% macro duckdb__unnest_array(array) -%}
    unnest({{ array }})
{%- endmacro %}

{#- The 1-based position of each element that unnest_array() returns, in the same select list. -#}
{% macro array_positions(array) -%}
    {{ return(adapter.dispatch('array_positions', 'learnloop')(array)) }}
{%- endmacro %}

{% macro default__array_positions(array) -%}
    generate_subscripts({{ array }}, 1)
{%- endmacro %}

{% macro duckdb__array_positions(array) -%}
    generate_subscripts({{ array }}, 1)
{%- endmacro %}


{#- Element at a 1-based position; NULL outside the array (DuckDB would count a negative
    position from the end). -#}
{% macro array_element(array, position) -%}
    {{ return(adapter.dispatch('array_element', 'learnloop')(array, position)) }}
{%- endmacro %}

{% macro default__array_element(array, position) -%}
    ({{ array }})[{{ position }}]
{%- endmacro %}

{% macro duckdb__array_element(array, position) -%}
    case when {{ position }} >= 1 then list_extract({{ array }}, {{ position }}) end
{%- endmacro %}


{#- True when the text contains a match of the regular expression. -#}
{% macro regex_contains(expression, pattern) -%}
    {{ return(adapter.dispatch('regex_contains', 'learnloop')(expression, pattern)) }}
{%- endmacro %}

{% macro default__regex_contains(expression, pattern) -%}
    ({{ expression }} ~ {{ pattern }})
{%- endmacro %}

{% macro duckdb__regex_contains(expression, pattern) -%}
    regexp_matches({{ expression }}, {{ pattern }})
{%- endmacro %}


{#- A literal string with every regular-expression metacharacter escaped. -#}
{% macro regex_escape(expression) -%}
    {{ return(adapter.dispatch('regex_escape', 'learnloop')(expression)) }}
{%- endmacro %}

{% macro default__regex_escape(expression) -%}
    regexp_replace({{ expression }}, '([.*+?^${}()|\[\]\\])', '\\\1', 'g')
{%- endmacro %}

{% macro duckdb__regex_escape(expression) -%}
    regexp_replace({{ expression }}, '([.*+?^${}()|\[\]\\])', '\\\1', 'g')
{%- endmacro %}


{#- True when a token is a word: letters (any alphabet), apostrophes and hyphens, starting
    with a letter. -#}
{% macro is_word_token(expression) -%}
    {{ return(adapter.dispatch('is_word_token', 'learnloop')(expression)) }}
{%- endmacro %}

{% macro default__is_word_token(expression) -%}
    ({{ expression }} ~ '^[[:alpha:]][[:alpha:]''-]*$')
{%- endmacro %}

{% macro duckdb__is_word_token(expression) -%}
    regexp_full_match({{ expression }}, '\p{L}[\p{L}''\-]*')
{%- endmacro %}


{#- The text the embedding model reads: URLs and @mentions removed (they carry no signal and a
    handle is personal data), white space collapsed, at most 512 characters (the model reads
    512 tokens; a longer message says what it is about in its first lines, and the cost of a
    text grows with its length). Case, emojis and punctuation stay: they carry tone. -#}
{% macro classifier_text(expression) -%}
    {{ return(adapter.dispatch('classifier_text', 'learnloop')(expression)) }}
{%- endmacro %}

{% macro default__classifier_text(expression) -%}
    nullif(left(trim(regexp_replace(
        regexp_replace(
            regexp_replace({{ expression }}, '(https?://|www\.)[^[:space:]]+', ' ', 'g'),
            '@[[:alnum:]_.-]+', ' ', 'g'
        ),
        '[[:space:]]+', ' ', 'g'
    )), 512), '')
{%- endmacro %}

{% macro duckdb__classifier_text(expression) -%}
    nullif(left(trim(regexp_replace(
        regexp_replace(
            regexp_replace({{ expression }}, '(?:https?://|www\.)\S+', ' ', 'g'),
            '@[\p{L}\p{N}_.\-]+', ' ', 'g'
        ),
        '\s+', ' ', 'g'
    )), 512), '')
{%- endmacro %}


{#- The word n-grams the classifier head reads beside the embedding: the classifier_text()
    lower-cased, cut into tokens (a run of letters or digits; every other non-space character,
    such as "?" or an emoji, is a token of its own), each distinct unigram ('w ' || token) and
    bigram ('b ' || token || ' ' || next token) once. NULL without text. -#}
{% macro classifier_grams(text) -%}
    {{ return(adapter.dispatch('classifier_grams', 'learnloop')(text)) }}
{%- endmacro %}

{% macro default__classifier_grams(text) -%}
    {{ exceptions.raise_compiler_error('classifier_grams: no implementation for ' ~ adapter.type()) }}
{%- endmacro %}

{% macro duckdb__classifier_grams(text) -%}
    list_sort(list_distinct(list_concat(
        list_transform(
            regexp_extract_all(lower({{ text }}), '[\p{L}\p{N}]+|[^\s\p{L}\p{N}]'),
            lambda token: 'w ' || token
        ),
        list_transform(
            list_zip(
                regexp_extract_all(lower({{ text }}), '[\p{L}\p{N}]+|[^\s\p{L}\p{N}]'),
                regexp_extract_all(lower({{ text }}), '[\p{L}\p{N}]+|[^\s\p{L}\p{N}]')[2:],
                true
            ),
            lambda pair: 'b ' || pair[1] || ' ' || pair[2]
        )
    )))
{%- endmacro %}


{#- The embedding cache's key of a classifier_text(): md5 of the model id, a NUL and the text,
    so another model never reuses a vector. -#}
{% macro classifier_text_key(text, model_id) -%}
    md5({{ model_id }} || chr(0) || {{ text }})
{%- endmacro %}


{#- A hyphen between two letters becomes a space: "App-Update" reads as "App Update" (twice,
    as matches do not overlap: "E-Bike-Akku"). -#}
{% macro split_hyphenated_words(expression) -%}
    {{ return(adapter.dispatch('split_hyphenated_words', 'learnloop')(expression)) }}
{%- endmacro %}

{% macro default__split_hyphenated_words(expression) -%}
    regexp_replace(
        regexp_replace({{ expression }}, '([[:alpha:]])-([[:alpha:]])', '\1 \2', 'g'),
        '([[:alpha:]])-([[:alpha:]])', '\1 \2', 'g'
    )
{%- endmacro %}

{% macro duckdb__split_hyphenated_words(expression) -%}
    regexp_replace(
        regexp_replace({{ expression }}, '(\p{L})-(\p{L})', '\1 \2', 'g'),
        '(\p{L})-(\p{L})', '\1 \2', 'g'
    )
{%- endmacro %}
