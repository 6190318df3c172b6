{#- No two rows share the same values in combination_of_columns (a compound key), e.g.
    (platform, interaction_id). NULLs compare equal here: (NULL, 'a') twice is a duplicate.
    Written here because dbt_utils cannot be installed without network access.

    With `batch` (a relation listing what the latest build wrote, by `batch_columns`, the
    model's own key when not given; with `batch_latest`, only the batch's rows with the
    greatest value of that column), only the keys of the rows this build wrote are checked,
    each against the whole table: a duplicate needs a row of this build, since every earlier
    row was checked when it was written. A build that rewrote everything lists everything; a
    build that did not make the batch relation (only some models selected) checks every row. -#}
{% test unique_combination(model, combination_of_columns, batch=none, batch_columns=none, batch_latest=none) %}
{%- if combination_of_columns is string or combination_of_columns | length == 0 -%}
    {{ exceptions.raise_compiler_error("unique_combination: combination_of_columns must be a non-empty list of column names") }}
{%- endif -%}
{%- set columns = combination_of_columns | join(', ') %}
{%- if batch is not none and execute and load_relation(batch) is none %}
    {%- set batch = none %}
{%- endif %}
{%- if batch is none %}
select {{ columns }}, count(*) as rows_with_this_key
from {{ model }}
group by {{ columns }}
having count(*) > 1
{%- else %}
{%- set batch_keys = batch_columns or combination_of_columns %}
with batch_rows as (
    select distinct {{ batch_keys | join(', ') }}
    from {{ batch }}
    {%- if batch_latest %}
    where {{ batch_latest }} = (select max({{ batch_latest }}) from {{ batch }})
    {%- endif %}
),

written_keys as (
    select distinct {% for column in combination_of_columns %}tested.{{ column }}{{ ", " if not loop.last }}{% endfor %}
    from {{ model }} as tested
    inner join batch_rows
        on {% for column in batch_keys %}tested.{{ column }} is not distinct from batch_rows.{{ column }}{{ " and " if not loop.last }}{% endfor %}
)

select {% for column in combination_of_columns %}tested.{{ column }}{{ ", " if not loop.last }}{% endfor %}, count(*) as rows_with_this_key
from {{ model }} as tested
inner join written_keys
    on {% for column in combination_of_columns %}tested.{{ column }} is not distinct from written_keys.{{ column }}{{ " and " if not loop.last }}{% endfor %}
group by {% for column in combination_of_columns %}tested.{{ column }}{{ ", " if not loop.last }}{% endfor %}
having count(*) > 1
{%- endif %}
{% endtest %}
