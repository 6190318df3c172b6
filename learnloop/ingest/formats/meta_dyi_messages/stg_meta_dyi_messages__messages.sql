-- Facebook/Instagram DMs: private, one conversation per thread file (thread_path). The
-- export names senders only by display name, so that name is both author id and handle;
-- the brand's messages become outbound through the configured [brand] display names.
with source as (
    select * from {{ source('meta_dyi_messages', 'meta_dyi_messages__messages') }}
)

select
    {{ conform_interactions({
        'platform': "platform",
        'interaction_id': "message_id",
        'conversation_id': "thread_path",
        'author_id': "sender_name",
        'author_handle': "sender_name",
        'created_at': "sent_at",
        'text': "content",
        'is_private': "true",
        'source_format': "'meta_dyi_messages'",
        'source_file': "_source_file",
        'source_row': "_source_row",
        'loaded_at': "_loaded_at",
    }) }}
from source
