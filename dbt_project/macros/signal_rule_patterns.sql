{#- The rows (language, category, pattern) of int_signal_rules__patterns, read while a model is
    compiled, so the patterns become constants in its SQL. A regular expression that is a
    column value is compiled again for every row (DuckDB: ~400x slower on 100k messages); a
    constant one is compiled once. Empty at parse time and before the table exists. -#}
{% macro signal_rule_patterns() -%}
    {%- if not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set relation = adapter.get_relation(
        database=target.database, schema='intermediate', identifier='int_signal_rules__patterns'
    ) -%}
    {%- if relation is none -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set result = run_query(
        'select language, category, pattern from ' ~ relation ~ ' order by language, category'
    ) -%}
    {{ return(result.rows) }}
{%- endmacro %}

{#- A string as a SQL literal. -#}
{% macro sql_literal(value) -%}
    '{{ value | replace("'", "''") }}'
{%- endmacro %}
