{#- Time zone arithmetic differs per engine; models call these, adapters implement them. -#}

{#- The local (wall-clock) timestamp of an instant in the reporting time zone. -#}
{% macro to_local_timestamp(instant, timezone) -%}
    {{ return(adapter.dispatch('to_local_timestamp', 'learnloop')(instant, timezone)) }}
{%- endmacro %}

{% macro default__to_local_timestamp(instant, timezone) -%}
    ({{ instant }} at time zone '{{ timezone }}')
{%- endmacro %}

{% macro duckdb__to_local_timestamp(instant, timezone) -%}
    timezone('{{ timezone }}', {{ instant }})
{%- endmacro %}


{#- The local Monday (a DATE) of the ISO week an instant falls in. -#}
{% macro local_week_start(instant, timezone=var('timezone')) -%}
    {{ return(adapter.dispatch('local_week_start', 'learnloop')(instant, timezone)) }}
{%- endmacro %}

{% macro default__local_week_start(instant, timezone) -%}
    cast(date_trunc('week', {{ learnloop.to_local_timestamp(instant, timezone) }}) as date)
{%- endmacro %}


{#- A date plus a number of days, as a DATE. -#}
{% macro add_days(date_expression, days) -%}
    {{ return(adapter.dispatch('add_days', 'learnloop')(date_expression, days)) }}
{%- endmacro %}

{% macro default__add_days(date_expression, days) -%}
    cast({{ date_expression }} + interval '{{ days }} days' as date)
{%- endmacro %}

{% macro duckdb__add_days(date_expression, days) -%}
    cast({{ date_expression }} + to_days(cast({{ days }} as integer)) as date)
{%- endmacro %}


{#- Elapsed seconds between two instants, as a double. -#}
{% macro seconds_between(start_instant, end_instant) -%}
    {{ return(adapter.dispatch('seconds_between', 'learnloop')(start_instant, end_instant)) }}
{%- endmacro %}

{% macro default__seconds_between(start_instant, end_instant) -%}
    cast(extract(epoch from ({{ end_instant }} - {{ start_instant }})) as double precision)
{%- endmacro %}

{% macro duckdb__seconds_between(start_instant, end_instant) -%}
    (epoch({{ end_instant }}) - epoch({{ start_instant }}))
{%- endmacro %}
