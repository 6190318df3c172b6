-- Every backlog export's items in one relation, in the canonical backlog shape (macro
-- conform_backlog_items). A new backlog tool adds its staging model here.
{%- set backlog_models = [
    'stg_jira__issues',
    'stg_github_issues__issues',
    'stg_linear__issues',
] %}

{% for model in backlog_models %}
select {{ backlog_item_column_list() }} from {{ ref(model) }}
{% if not loop.last %}union all{% endif %}
{% endfor %}
