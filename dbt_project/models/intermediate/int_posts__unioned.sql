-- Every post staging model's brand posts in one relation (kpis.md: posts come from
-- analytics exports and from API dumps and archives that carry post fields). The empty
-- select at the end gives the canonical shape even when the list is empty.
{% set staging_models = [
    'stg_mastodon_api__posts',
    'stg_x_api__posts',
] %}

{% for model_name in staging_models %}
select * from {{ ref(model_name) }}
union all
{% endfor %}
select {{ conform_posts({}) }}
where 1 = 0
