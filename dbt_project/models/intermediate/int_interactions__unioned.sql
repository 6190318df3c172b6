-- Every staging model's interactions in one relation. Staging models share their columns
-- through the conform_interactions macro, so this stays a plain union.
{% set staging_models = [
    'stg_facebook_graph__comments',
    'stg_inbox_csv__messages',
    'stg_instagram_api__comments',
    'stg_linkedin_messages__messages',
    'stg_mastodon_api__interactions',
    'stg_mastodon_outbox__interactions',
    'stg_meta_dyi_messages__messages',
    'stg_x_api__interactions',
    'stg_x_archive_dms__messages',
    'stg_x_archive_tweets__interactions',
    'stg_youtube_api__comments',
] %}

{% for model_name in staging_models %}
select * from {{ ref(model_name) }}
{% if not loop.last %}union all{% endif %}
{% endfor %}
