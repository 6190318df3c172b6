{#- dbt's view and table materializations for DuckDB, each in one statement: `create or
    replace` inside the model's transaction.

    dbt builds a relation under a temporary name, renames the old one to a backup, renames
    the new one into place and drops the backup after the commit; for a table dbt-duckdb
    also asks DuckDB for the old table's indexes and key constraints (foreign keys cannot
    follow a rename). The renames and the drop are adapter calls that each build a whole
    macro context: most of a small model's CPU (README, "Performance"). This project
    declares no indexes, constraints or contracts, a DuckDB view is stored SQL that nothing
    binds to, and `create or replace` is as atomic as the swap: a failed or killed build
    leaves the old relation. A relation of the other type under the model's name (a model
    that changed materialization) is dropped first. -#}

{% materialization view, adapter='duckdb' %}
  {%- set target_relation = this.incorporate(type='view') -%}
  {%- set existing_relation = begin_replacing(target_relation) -%}
  {% call statement('main') -%}
    create or replace view {{ target_relation }} as (
      {{ sql }}
    );
  {%- endcall %}
  {{ return(commit_replaced(target_relation, existing_relation)) }}
{% endmaterialization %}


{#- A Python model's DataFrame is written by dbt-duckdb under the temporary name (on another
    cursor, outside the model's transaction); one SQL statement then replaces the table. -#}
{% materialization table, adapter='duckdb', supported_languages=['sql', 'python'] %}
  {%- set target_relation = this.incorporate(type='table') -%}
  {%- set existing_relation = begin_replacing(target_relation) -%}
  {%- if model['language'] == 'python' %}
    {%- set intermediate_relation = make_intermediate_relation(target_relation) -%}
    {{ drop_relation_if_exists(load_cached_relation(intermediate_relation)) }}
    {% call statement('main', language='python') -%}
      {{- create_table_as(False, intermediate_relation, compiled_code, 'python') }}
    {%- endcall %}
    {% call statement('replace_with_python_result') -%}
      drop table if exists {{ target_relation }};
      alter table {{ intermediate_relation }} rename to {{ target_relation.include(database=False, schema=False) }};
    {%- endcall %}
  {%- else %}
    {% call statement('main') -%}
      create or replace table {{ target_relation }} as (
        {{ compiled_code }}
      );
    {%- endcall %}
  {%- endif %}
  {{ return(commit_replaced(target_relation, existing_relation)) }}
{% endmaterialization %}


{#- The pre-hooks, and the model's old relation dropped if it is of another type; returns the
    old relation (none if there was none). `BEGIN` happens here. -#}
{% macro begin_replacing(target_relation) -%}
  {%- set existing_relation = load_cached_relation(this) -%}
  {{ run_hooks(pre_hooks, inside_transaction=False) }}
  {{ run_hooks(pre_hooks, inside_transaction=True) }}
  {%- if existing_relation is not none and existing_relation.type != target_relation.type %}
    {{ drop_relation_if_exists(existing_relation) }}
  {%- endif %}
  {{ return(existing_relation) }}
{%- endmacro %}


{#- Grants, comments, post-hooks and the commit, as dbt's own materializations do them. -#}
{% macro commit_replaced(target_relation, existing_relation) -%}
  {% do apply_grants(target_relation, config.get('grants'), should_revoke=should_revoke(existing_relation, full_refresh_mode=True)) %}
  {% do persist_docs(target_relation, model) %}
  {{ run_hooks(post_hooks, inside_transaction=True) }}
  {{ adapter.commit() }}
  {{ run_hooks(post_hooks, inside_transaction=False) }}
  {{ return({'relations': [target_relation]}) }}
{%- endmacro %}
