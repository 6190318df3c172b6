{#- dbt-duckdb's table materialization for this project's SQL tables, in one statement:
    `create or replace table`.

    The adapter's version builds the table under a temporary name, asks DuckDB for the old
    table's indexes and key constraints (foreign keys cannot follow a rename), renames the
    old table to a backup and the new one into place, and drops the backup after the commit:
    three of those are adapter calls that each build a whole macro context. This project
    declares no indexes, constraints or contracts, and `create or replace table` inside the
    model's transaction is as atomic as the swap: a failed or killed build leaves the old
    table. A Python model's DataFrame is written by dbt-duckdb under the temporary name
    (another cursor, outside this transaction), then replaces the old table in one statement.
    A relation of another type under the table's name (a model that was a view) is dropped
    first. -#}
{% materialization table, adapter='duckdb', supported_languages=['sql', 'python'] %}
  {%- set existing_relation = load_cached_relation(this) -%}
  {%- set target_relation = this.incorporate(type='table') -%}
  {%- set grant_config = config.get('grants') -%}

  {{ run_hooks(pre_hooks, inside_transaction=False) }}
  -- `BEGIN` happens here:
  {{ run_hooks(pre_hooks, inside_transaction=True) }}

  {%- if existing_relation is not none and not existing_relation.is_table %}
    {{ drop_relation_if_exists(existing_relation) }}
  {%- endif %}

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

  {% set should_revoke = should_revoke(existing_relation, full_refresh_mode=True) %}
  {% do apply_grants(target_relation, grant_config, should_revoke=should_revoke) %}
  {% do persist_docs(target_relation, model) %}
  {{ run_hooks(post_hooks, inside_transaction=True) }}
  {{ adapter.commit() }}
  {{ run_hooks(post_hooks, inside_transaction=False) }}

  {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}
