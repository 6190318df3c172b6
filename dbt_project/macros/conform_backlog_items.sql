{#- The one place that lists the canonical backlog item columns every backlog staging model
    outputs (Jira, GitHub issues, Linear, ...), like conform_interactions for interactions. -#}

{% macro backlog_item_columns() -%}
    {{ return([
        ('source', 'varchar'),
        ('key', 'varchar'),
        ('url', 'varchar'),
        ('title', 'varchar'),
        ('status', 'varchar'),
        ('is_done', 'boolean'),
        ('created_at', 'timestamp with time zone'),
        ('resolved_at', 'timestamp with time zone'),
        ('text', 'varchar'),
        ('source_file', 'varchar'),
        ('source_row', 'bigint'),
        ('loaded_at', 'timestamp with time zone'),
    ]) }}
{%- endmacro %}

{% macro conform_backlog_items(expressions) -%}
    {%- set known = backlog_item_columns() | map(attribute=0) | list -%}
    {%- for name in expressions if name not in known -%}
        {{ exceptions.raise_compiler_error("conform_backlog_items: unknown column " ~ name) }}
    {%- endfor -%}
    {%- for name, type in backlog_item_columns() %}
        cast({{ expressions.get(name, 'null') }} as {{ type }}) as {{ name }}{{ "," if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{% macro backlog_item_column_list(relation_alias=none) -%}
    {%- for name, type in backlog_item_columns() -%}
        {{ relation_alias ~ '.' if relation_alias }}{{ name }}{{ ", " if not loop.last }}
    {%- endfor -%}
{%- endmacro %}
