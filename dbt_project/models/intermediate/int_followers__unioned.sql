-- Every follower staging model's daily rows in one relation. The final empty select gives
-- the relation its canonical shape even when no model is listed.
{% set staging_models = [
    'stg_x_account_overview__followers',
] %}

{% for model_name in staging_models %}
select * from {{ ref(model_name) }}
union all
{% endfor %}
select {{ conform_followers({}) }}
where 1 = 0
