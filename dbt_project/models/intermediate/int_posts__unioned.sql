-- Every post staging model's brand posts in one relation (docs/kpis.md: posts come from
-- analytics exports and from API dumps and archives that carry post fields). The final empty
-- select gives the relation its canonical shape even when no model is listed.
{% set staging_models = [
    'stg_facebook_graph__posts',
    'stg_instagram_api__media',
    'stg_linkedin_page_content__posts',
    'stg_mastodon_api__posts',
    'stg_mastodon_outbox__posts',
    'stg_meta_business_posts__posts',
    'stg_meta_dyi_posts__posts',
    'stg_x_analytics_content__posts',
    'stg_x_api__posts',
    'stg_x_archive_tweets__posts',
    'stg_x_tweet_activity__posts',
    'stg_youtube_studio_table__videos',
] %}

{% for model_name in staging_models %}
select * from {{ ref(model_name) }}
union all
{% endfor %}
select {{ conform_posts({}) }}
where 1 = 0
