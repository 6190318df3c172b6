{#- The keys of the rows a build wrote that more than one row of the model holds: the batched
    form of the `unique_combination` test (dbt_project/tests/generic/unique_combination.sql).
    The written rows are the model's rows whose `batch_keys` are in `batch` (with
    `batch_latest`, only the batch's rows with its greatest value); each of their `columns`
    keys is counted over the whole model. NULLs compare equal, as in GROUP BY. -#}
{% macro duplicate_keys_of_batch(model, columns, batch, batch_keys, batch_latest) -%}
    {{ return(adapter.dispatch('duplicate_keys_of_batch', 'learnloop')(model, columns, batch, batch_keys, batch_latest)) }}
{%- endmacro %}

{% macro default__duplicate_keys_of_batch(model, columns, batch, batch_keys, batch_latest) -%}
with batch_rows as (
    select distinct {{ batch_keys | join(', ') }}
    from {{ batch }}
    {%- if batch_latest %}
    where {{ batch_latest }} = (select max({{ batch_latest }}) from {{ batch }})
    {%- endif %}
),

written_keys as (
    select distinct {% for column in columns %}tested.{{ column }}{{ ", " if not loop.last }}{% endfor %}
    from {{ model }} as tested
    inner join batch_rows
        on {% for column in batch_keys %}tested.{{ column }} is not distinct from batch_rows.{{ column }}{{ " and " if not loop.last }}{% endfor %}
)

select {% for column in columns %}tested.{{ column }}{{ ", " if not loop.last }}{% endfor %}, count(*) as rows_with_this_key
from {{ model }} as tested
inner join written_keys
    on {% for column in columns %}tested.{{ column }} is not distinct from written_keys.{{ column }}{{ " and " if not loop.last }}{% endfor %}
group by {% for column in columns %}tested.{{ column }}{{ ", " if not loop.last }}{% endfor %}
having count(*) > 1
{%- endmacro %}

{#- DuckDB: the default form keeps three hash tables of whole keys at once (the batch's, the
    written keys', the count's), and in a full build at 10M interactions they did not fit the
    default memory_limit of 256MB (Out of Memory in the tests of int_interactions__latest and
    __signals). Here each step keeps only 64-bit hashes of the keys (DuckDB's hash(), which
    hashes NULL alike), and only the keys whose hash more than one row holds are counted by
    their values: the same rows as the default, within 256MB at 10M (5.6 s on
    int_interactions__latest, 5.4 s on __signals; DECISIONLOG.md). A hash that two
    different keys share only adds rows that are then counted by value, so it cannot pass a
    duplicate or report a key held once. -#}
{% macro duckdb__duplicate_keys_of_batch(model, columns, batch, batch_keys, batch_latest) -%}
{%- set key_hash = "hash(" ~ columns | join(", ") ~ ")" %}
{%- set batch_key_hash = "hash(" ~ batch_keys | join(", ") ~ ")" %}
with batch_hashes as (
    select distinct {{ batch_key_hash }} as batch_hash
    from {{ batch }}
    {%- if batch_latest %}
    where {{ batch_latest }} = (select max({{ batch_latest }}) from {{ batch }})
    {%- endif %}
),

written_hashes as (
    select distinct {{ key_hash }} as key_hash
    from {{ model }}
    where {{ batch_key_hash }} in (select batch_hash from batch_hashes)
),

shared_hashes as (
    select {{ key_hash }} as key_hash
    from {{ model }}
    where {{ key_hash }} in (select key_hash from written_hashes)
    group by 1
    having count(*) > 1
)

select {{ columns | join(", ") }}, count(*) as rows_with_this_key
from {{ model }}
where {{ key_hash }} in (select key_hash from shared_hashes)
group by {{ columns | join(", ") }}
having count(*) > 1
{%- endmacro %}
