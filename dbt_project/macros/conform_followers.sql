{#- The one place that lists the canonical follower columns every follower staging model
    outputs: one row per account and local date, with the total where the source gives it
    and the day's net change (new follows - unfollows) where it gives that. -#}

{% macro follower_columns() -%}
    {{ return([
        ('platform', 'varchar'),
        ('account', 'varchar'),
        ('date', 'date'),
        ('followers', 'bigint'),
        ('net_change', 'bigint'),
        ('source_format', 'varchar'),
        ('source_file', 'varchar'),
        ('source_row', 'bigint'),
        ('loaded_at', 'timestamp with time zone'),
    ]) }}
{%- endmacro %}

{% macro conform_followers(expressions) -%}
    {%- set known = follower_columns() | map(attribute=0) | list -%}
    {%- for name in expressions if name not in known -%}
        {{ exceptions.raise_compiler_error("conform_followers: unknown column " ~ name) }}
    {%- endfor -%}
    {%- for name, type in follower_columns() %}
        cast({{ expressions.get(name, 'null') }} as {{ type }}) as {{ name }}{{ "," if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{% macro follower_column_list() -%}
    {%- for name, type in follower_columns() -%}
        {{ name }}{{ ", " if not loop.last }}
    {%- endfor -%}
{%- endmacro %}
