-- Every post staging model's brand posts in one relation (kpis.md: posts come from
-- analytics exports and from API dumps and archives that carry post fields). With no post
-- source yet it is an empty relation of the canonical shape.
{% set staging_models = [] %}

{% for model_name in staging_models %}
select * from {{ ref(model_name) }}
union all
{% endfor %}
select {{ conform_posts({}) }}
where 1 = 0
