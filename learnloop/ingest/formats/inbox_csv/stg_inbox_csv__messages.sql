-- Inbox-tool messages: one row per exported message. The tool's conversation id is the
-- thread (docs/kpis.md, Conversations); its direction column says who wrote the message.
with source as (
    select * from {{ source('inbox_csv', 'inbox_csv__messages') }}
),

platforms as (
    select alias, platform from {{ ref('platform_aliases') }}
),

directions as (
    select alias, direction from {{ ref('direction_aliases') }}
)

select
    {{ conform_interactions({
        'platform': "coalesce(platforms.platform, lower(trim(source.platform_raw)))",
        'interaction_id': "trim(source.message_id)",
        'conversation_id': "nullif(trim(source.conversation_id), '')",
        'parent_id': "nullif(trim(source.parent_id), '')",
        'author_id': "nullif(trim(source.author), '')",
        'author_handle': "nullif(trim(source.author), '')",
        'is_outbound_by_source': "directions.direction = 'outbound'",
        'created_at': "source.created_at",
        'text': "source.text",
        'is_private': "false",
        'source_format': "'inbox_csv'",
        'source_file': "source._source_file",
        'source_row': "source._source_row",
        'loaded_at': "source._loaded_at",
    }) }}
from source
left join platforms
    on platforms.alias = lower(trim(source.platform_raw))
left join directions
    on directions.alias = lower(trim(source.direction_raw))
