{#- None of `columns` holds a NULL: the project's not-null test, one per model, where dbt's
    not_null is one test (a dbt node) per column. It reads the model once, keeping only the
    rows with a NULL in one of the columns (a filter DuckDB answers from its column
    statistics where it can), and returns one row per column that has NULLs: column_name
    and null_rows, how many. With `by` (a column such as source_format) it returns one row
    per column and value of `by`, which it names `source`. Plain SQL, no dialect of its own. -#}
{% test not_null_columns(model, columns, by=none) %}
{%- if columns is string or columns | length == 0 -%}
    {{ exceptions.raise_compiler_error("not_null_columns: columns must be a non-empty list of column names") }}
{%- endif %}
with null_counts as (
    select
    {%- if by %}
        {{ by }} as source,
    {%- endif %}
    {%- for column in columns %}
        count(case when {{ column }} is null then 1 end) as nulls_{{ loop.index }}{{ "," if not loop.last }}
    {%- endfor %}
    from {{ model }}
    where {% for column in columns %}{{ column }} is null{{ " or " if not loop.last }}{% endfor %}
    {%- if by %}
    group by {{ by }}
    {%- endif %}
)
{%- for column in columns %}

select '{{ column }}' as column_name{{ ", source" if by }}, nulls_{{ loop.index }} as null_rows
from null_counts
where nulls_{{ loop.index }} > 0
{%- if not loop.last %}
union all
{%- endif %}
{%- endfor %}
{% endtest %}
