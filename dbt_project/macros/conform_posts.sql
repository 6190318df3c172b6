{#- The one place that lists the canonical post columns every post staging model outputs
    (docs/kpis.md, "Interactions and posts" and the post metric names). Metrics are lifetime
    totals as of snapshot_at; NULL means the source does not report that metric. -#}

{% macro post_columns() -%}
    {{ return([
        ('platform', 'varchar'),
        ('post_id', 'varchar'),
        ('account', 'varchar'),
        ('published_at', 'timestamp with time zone'),
        ('permalink', 'varchar'),
        ('text', 'varchar'),
        ('reactions', 'bigint'),
        ('comments', 'bigint'),
        ('shares', 'bigint'),
        ('clicks', 'bigint'),
        ('impressions', 'bigint'),
        ('snapshot_at', 'timestamp with time zone'),
        ('source_format', 'varchar'),
        ('source_file', 'varchar'),
        ('source_row', 'bigint'),
        ('loaded_at', 'timestamp with time zone'),
    ]) }}
{%- endmacro %}

{% macro conform_posts(expressions) -%}
    {%- set known = post_columns() | map(attribute=0) | list -%}
    {%- for name in expressions if name not in known -%}
        {{ exceptions.raise_compiler_error("conform_posts: unknown column " ~ name) }}
    {%- endfor -%}
    {%- for name, type in post_columns() %}
        cast({{ expressions.get(name, 'null') }} as {{ type }}) as {{ name }}{{ "," if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{% macro post_column_list(relation_alias=none) -%}
    {%- for name, type in post_columns() -%}
        {{ relation_alias ~ '.' if relation_alias }}{{ name }}{{ ", " if not loop.last }}
    {%- endfor -%}
{%- endmacro %}
