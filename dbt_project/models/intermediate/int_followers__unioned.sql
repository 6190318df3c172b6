-- Every follower staging model's daily rows in one relation. The final empty select gives
-- the relation its canonical shape even when no model is listed.
{% set staging_models = [
    'stg_linkedin_page_followers__daily',
    'stg_meta_daily_insights__followers',
    'stg_x_account_overview__followers',
    'stg_youtube_studio_totals__subscribers',
] %}

{% for model_name in staging_models %}
select * from {{ ref(model_name) }}
union all
{% endfor %}
select {{ conform_followers({}) }}
where 1 = 0
