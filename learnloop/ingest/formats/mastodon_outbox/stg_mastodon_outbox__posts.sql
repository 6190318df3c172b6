-- The account's own statuses that are neither replies nor direct messages. The archive
-- carries no counts, so these rows are no metric snapshot (snapshot_at NULL): the same
-- post from the Mastodon API, with its counts, takes precedence in int_posts__latest.
with notes as (
    select * from {{ ref('stg_mastodon_outbox__notes') }}
)

select
    {{ conform_posts({
        'platform': "'mastodon'",
        'post_id': "status_id",
        'account': "author_handle",
        'published_at': "published_at",
        'permalink': "url",
        'text': "text",
        'source_format': "'mastodon_outbox'",
        'source_file': "_source_file",
        'source_row': "_source_row",
        'loaded_at': "_loaded_at",
    }) }}
from notes
where is_brand_post
