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
{{ learnloop.duplicate_keys_of_batch(model, combination_of_columns, batch, batch_keys, batch_latest) }}
{%- endif %}
{% endtest %}
