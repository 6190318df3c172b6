{#- Aggregates and arithmetic whose spelling differs per engine. -#}

{#- Continuous (interpolating) quantile, as kpis.md's quantile_cont. -#}
{% macro quantile_cont(expression, fraction) -%}
    {{ return(adapter.dispatch('quantile_cont', 'learnloop')(expression, fraction)) }}
{%- endmacro %}

{% macro default__quantile_cont(expression, fraction) -%}
    percentile_cont({{ fraction }}) within group (order by {{ expression }})
{%- endmacro %}

{% macro duckdb__quantile_cont(expression, fraction) -%}
    quantile_cont({{ expression }}, {{ fraction }})
{%- endmacro %}


{#- numerator / denominator as a double; NULL when the denominator is 0 or NULL. -#}
{% macro safe_divide(numerator, denominator) -%}
    (cast({{ numerator }} as {{ learnloop.type_double() }}) / nullif({{ denominator }}, 0))
{%- endmacro %}

{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double', 'learnloop')()) }}
{%- endmacro %}

{% macro default__type_double() -%}double precision{%- endmacro %}

{% macro duckdb__type_double() -%}double{%- endmacro %}


{#- First 16 hex characters of SHA-256: the member_key pseudonym (kpis.md, Privacy). -#}
{% macro sha256_hex16(expression) -%}
    {{ return(adapter.dispatch('sha256_hex16', 'learnloop')(expression)) }}
{%- endmacro %}

{% macro default__sha256_hex16(expression) -%}
    substr(sha2({{ expression }}, 256), 1, 16)
{%- endmacro %}

{% macro duckdb__sha256_hex16(expression) -%}
    substr(sha256({{ expression }}), 1, 16)
{%- endmacro %}
