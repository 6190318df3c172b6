-- LinkedIn messages: private, one conversation per CONVERSATION ID. FOLDER = SENT is the
-- export's own mark of the owner's messages; otherwise the sender's profile id or name
-- matching [brand] linkedin makes a message outbound.
with source as (
    select * from {{ source('linkedin_messages', 'linkedin_messages__messages') }}
)

select
    {{ conform_interactions({
        'platform': "'linkedin'",
        'interaction_id': "message_id",
        'conversation_id': "conversation_id",
        'author_id': "coalesce(sender_profile_id, nullif(trim(from_name), ''))",
        'author_handle': "nullif(trim(from_name), '')",
        'is_outbound_by_source': "upper(trim(folder)) = 'SENT'",
        'created_at': "sent_at",
        'text': "content",
        'is_private': "true",
        'source_format': "'linkedin_messages'",
        'source_file': "_source_file",
        'source_row': "_source_row",
        'loaded_at': "_loaded_at",
    }) }}
from source
