{#- No two rows share the same values in combination_of_columns (a compound key), e.g.
    (platform, interaction_id). NULLs compare equal here: (NULL, 'a') twice is a duplicate.
    Written here because dbt_utils cannot be installed without network access. -#}
{% test unique_combination(model, combination_of_columns) %}
{%- if combination_of_columns is string or combination_of_columns | length == 0 -%}
    {{ exceptions.raise_compiler_error("unique_combination: combination_of_columns must be a non-empty list of column names") }}
{%- endif -%}
{%- set columns = combination_of_columns | join(', ') %}
select {{ columns }}, count(*) as rows_with_this_key
from {{ model }}
group by {{ columns }}
having count(*) > 1
{% endtest %}
