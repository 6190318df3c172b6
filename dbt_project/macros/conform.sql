{#- A staging model hands over the columns of a canonical shape (interactions, posts,
    followers, backlog_items) by ending in conform_<shape>({column: expression}): the
    columns it has; the others become typed NULLs, so a new format never breaks the union of
    its shape. The shapes' columns are defined once, in learnloop/ingest/formats/canonical.py,
    and reach dbt through the generated macro shape_columns (formats_registry.sql). -#}

{% macro conform(shape, expressions) -%}
    {%- set known = shape_columns(shape) | map(attribute=0) | list -%}
    {%- for name in expressions if name not in known -%}
        {{ exceptions.raise_compiler_error("conform_" ~ shape ~ ": unknown column " ~ name) }}
    {%- endfor -%}
    {%- for name, type in shape_columns(shape) %}
        cast({{ expressions.get(name, 'null') }} as {{ type }}) as {{ name }}{{ "," if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{#- "platform, interaction_id, ..." for selecting a shape's columns again. -#}
{% macro column_list(shape, relation_alias=none) -%}
    {%- for name, type in shape_columns(shape) -%}
        {{ relation_alias ~ '.' if relation_alias }}{{ name }}{{ ", " if not loop.last }}
    {%- endfor -%}
{%- endmacro %}

{#- Every staging model of a shape, one union: the final empty select gives the relation its
    shape even when no model feeds it. -#}
{% macro union_staging_models(shape) -%}
    {%- for model_name in staging_models(shape) %}
select {{ column_list(shape) }} from {{ ref(model_name) }}
union all
    {%- endfor %}
select {{ conform(shape, {}) }}
where 1 = 0
{%- endmacro %}

{% macro conform_interactions(expressions) %}{{ conform('interactions', expressions) }}{% endmacro %}
{% macro conform_posts(expressions) %}{{ conform('posts', expressions) }}{% endmacro %}
{% macro conform_followers(expressions) %}{{ conform('followers', expressions) }}{% endmacro %}
{% macro conform_backlog_items(expressions) %}{{ conform('backlog_items', expressions) }}{% endmacro %}
