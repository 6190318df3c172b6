{#- dbt's persist_docs, without repeating itself: an incremental model's table stays from one
    build to the next and keeps the comments its first build wrote, so a daily build that
    described and commented it again (a quarter second per model) did nothing. A table that
    already carries its model's description is left alone; a change of the YAML changes the
    build fingerprint, and the full build that follows creates every table afresh. -#}
{% macro duckdb__persist_docs(relation, model, for_relation, for_columns) -%}
    {%- if model.config.materialized == 'incremental' and model.description -%}
        {%- set commented -%}
            select count(*) from duckdb_tables()
            where database_name = '{{ relation.database }}'
                and schema_name = '{{ relation.schema }}'
                and table_name = '{{ relation.identifier }}'
                and comment = {{ duckdb_escape_comment(model.description) }}
        {%- endset -%}
        {%- if run_query(commented).columns[0].values()[0] > 0 -%}
            {{ return('') }}
        {%- endif -%}
    {%- endif -%}
    {{ return(default__persist_docs(relation, model, for_relation, for_columns)) }}
{%- endmacro %}
