-- X archive DMs: private, one conversation per conversationId. The archive carries only
-- account ids, so senderId is the author; the brand's id under [brand] x makes it outbound.
with source as (
    select * from {{ source('x_archive_dms', 'x_archive_dms__messages') }}
)

select
    {{ conform_interactions({
        'platform': "'x'",
        'interaction_id': "message_id",
        'conversation_id': "conversation_id",
        'author_id': "sender_id",
        'created_at': "created_at",
        'text': "text",
        'is_private': "true",
        'source_format': "'x_archive_dms'",
        'source_file': "_source_file",
        'source_row': "_source_row",
        'loaded_at': "_loaded_at",
    }) }}
from source
