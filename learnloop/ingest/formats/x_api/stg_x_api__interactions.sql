-- Tweets that are interactions: community tweets (replies, mentions, quotes) and the
-- brand's replies. The brand's non-reply tweets are posts (stg_x_api__posts); retweets are
-- neither (they repeat someone else's text; X counts them in the post's retweet_count).
-- Threads follow the replied_to links, like YouTube comments: every reply directly under
-- a brand post starts its own thread, so X's conversation_id (the whole tree under the
-- post) is not used as the thread.
with tweets as (
    select * from {{ ref('stg_x_api__tweets') }}
)

select
    {{ conform_interactions({
        'platform': "'x'",
        'interaction_id': "tweet_id",
        'parent_id': "replied_to_id",
        'post_id': "brand_post_id",
        'author_id': "author_id",
        'author_handle': "author_username",
        'is_outbound_by_source': "false",
        'created_at': "created_at",
        'text': "text",
        'is_private': "false",
        'source_format': "'x_api'",
        'source_file': "_source_file",
        'source_row': "_source_row",
        'loaded_at': "_loaded_at",
    }) }}
from tweets
where not is_brand_post
    and not is_retweet
