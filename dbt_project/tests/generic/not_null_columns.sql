{#- None of `columns` holds a NULL. One scan of the model for all of them (dbt's not_null
    is one test, and one scan, per column); it returns one row per column that has NULLs:
    column_name and null_rows, its number of NULLs. Plain SQL, no dialect of its own. -#}
{% test not_null_columns(model, columns) %}
{%- if columns is string or columns | length == 0 -%}
    {{ exceptions.raise_compiler_error("not_null_columns: columns must be a non-empty list of column names") }}
{%- endif %}
with null_counts as (
    select
    {%- for column in columns %}
        count(*) - count({{ column }}) as nulls_{{ loop.index }}{{ "," if not loop.last }}
    {%- endfor %}
    from {{ model }}
)
{%- for column in columns %}

select '{{ column }}' as column_name, nulls_{{ loop.index }} as null_rows
from null_counts
where nulls_{{ loop.index }} > 0
{%- if not loop.last %}
union all
{%- endif %}
{%- endfor %}
{% endtest %}
