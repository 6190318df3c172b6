{#- Pre-hook of an incremental model: delete the rows whose key is in `changed` (a relation
    with the same key columns), so that keys the new batch no longer produces disappear too.
    Outside an incremental build (first build, --full-refresh) there is nothing to delete. -#}
{% macro delete_changed_rows(changed, key_columns) -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where ({{ key_columns | join(', ') }}) in (
            select {{ key_columns | join(', ') }} from {{ changed }}
        )
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}
