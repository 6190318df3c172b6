{#- Regular expressions: every engine spells them differently. Patterns are POSIX/RE2-style
    extended expressions without look-around, which all supported engines understand. -#}

{#- The text of capture group `group` of the first match of `pattern` in `expression`;
    NULL when there is no match (DuckDB returns '' for that, so its variant maps '' to NULL). -#}
{% macro regex_extract(expression, pattern, group=0) -%}
    {{ return(adapter.dispatch('regex_extract', 'learnloop')(expression, pattern, group)) }}
{%- endmacro %}

{% macro default__regex_extract(expression, pattern, group) -%}
    nullif(regexp_substr({{ expression }}, '{{ pattern }}', 1, 1, 'c', {{ group }}), '')
{%- endmacro %}

{% macro duckdb__regex_extract(expression, pattern, group) -%}
    nullif(regexp_extract({{ expression }}, '{{ pattern }}', {{ group }}), '')
{%- endmacro %}


{#- One row per piece of `expression` split at matches of `pattern` (a set-returning
    expression for the select list); empty pieces are the caller's to filter out. -#}
{% macro regex_split_to_rows(expression, pattern) -%}
    {{ return(adapter.dispatch('regex_split_to_rows', 'learnloop')(expression, pattern)) }}
{%- endmacro %}

{% macro default__regex_split_to_rows(expression, pattern) -%}
    regexp_split_to_table({{ expression }}, '{{ pattern }}')
{%- endmacro %}

{% macro duckdb__regex_split_to_rows(expression, pattern) -%}
    unnest(regexp_split_to_array({{ expression }}, '{{ pattern }}'))
{%- endmacro %}


{#- One row per match of `pattern` in `expression` (a set-returning expression for the
    select list). -#}
{% macro regex_matches_to_rows(expression, pattern) -%}
    {{ return(adapter.dispatch('regex_matches_to_rows', 'learnloop')(expression, pattern)) }}
{%- endmacro %}

{% macro default__regex_matches_to_rows(expression, pattern) -%}
    (regexp_matches({{ expression }}, '({{ pattern }})', 'g'))[1]
{%- endmacro %}

{% macro duckdb__regex_matches_to_rows(expression, pattern) -%}
    unnest(regexp_extract_all({{ expression }}, '{{ pattern }}'))
{%- endmacro %}
