{#- The one place that lists the canonical interaction columns every staging model outputs.
    A staging model passes the expressions it has; the others become typed NULLs, so a new
    format never breaks the union in int_interactions__unioned. -#}

{% macro interaction_columns() -%}
    {{ return([
        ('platform', 'varchar'),
        ('interaction_id', 'varchar'),
        ('conversation_id', 'varchar'),
        ('parent_id', 'varchar'),
        ('post_id', 'varchar'),
        ('author_id', 'varchar'),
        ('author_handle', 'varchar'),
        ('is_outbound_by_source', 'boolean'),
        ('created_at', 'timestamp with time zone'),
        ('text', 'varchar'),
        ('is_private', 'boolean'),
        ('source_format', 'varchar'),
        ('source_file', 'varchar'),
        ('source_row', 'bigint'),
        ('loaded_at', 'timestamp with time zone'),
    ]) }}
{%- endmacro %}

{% macro conform_interactions(expressions) -%}
    {%- set known = interaction_columns() | map(attribute=0) | list -%}
    {%- for name in expressions if name not in known -%}
        {{ exceptions.raise_compiler_error("conform_interactions: unknown column " ~ name) }}
    {%- endfor -%}
    {%- for name, type in interaction_columns() %}
        cast({{ expressions.get(name, 'null') }} as {{ type }}) as {{ name }}{{ "," if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#- "platform, interaction_id, ..." for selecting the canonical columns again. -#}
{% macro interaction_column_list(relation_alias=none) -%}
    {%- for name, type in interaction_columns() -%}
        {{ relation_alias ~ '.' if relation_alias }}{{ name }}{{ ", " if not loop.last }}
    {%- endfor -%}
{%- endmacro %}
