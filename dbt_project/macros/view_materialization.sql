{#- dbt's view materialization for DuckDB, in one statement: `create or replace view`.

    dbt's default creates the view under a temporary name, renames the old view to a backup,
    renames the new one into place and drops the backup: four statements, three of them
    adapter calls that each build a whole macro context. In DuckDB a view is stored SQL that
    nothing else binds to, and `create or replace view` is atomic within the model's
    transaction, so one statement leaves the same view. A full build creates every staging
    view (README, "Performance"). A relation of another type under the view's name (a model
    that was a table) is dropped first. -#}
{% materialization view, adapter='duckdb' %}
  {%- set existing_relation = load_cached_relation(this) -%}
  {%- set target_relation = this.incorporate(type='view') -%}
  {%- set grant_config = config.get('grants') -%}

  {{ run_hooks(pre_hooks, inside_transaction=False) }}
  -- `BEGIN` happens here:
  {{ run_hooks(pre_hooks, inside_transaction=True) }}

  {%- if existing_relation is not none and not existing_relation.is_view %}
    {{ drop_relation_if_exists(existing_relation) }}
  {%- endif %}

  {% call statement('main') -%}
    create or replace view {{ target_relation }} as (
      {{ sql }}
    );
  {%- endcall %}

  {% set should_revoke = should_revoke(existing_relation, full_refresh_mode=True) %}
  {% do apply_grants(target_relation, grant_config, should_revoke=should_revoke) %}
  {% do persist_docs(target_relation, model) %}
  {{ run_hooks(post_hooks, inside_transaction=True) }}
  {{ adapter.commit() }}
  {{ run_hooks(post_hooks, inside_transaction=False) }}

  {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}
