-- Every chat message and reply of the channel is an interaction; system messages (joins,
-- pins, thread notices) and other bots' messages are not dialogue. parent_id is the message
-- a reply references, so threads follow reference.messageId to the first message. The
-- brand is an author whose account id, name or one of whose server roles is a configured
-- [brand] discord entry (case-insensitive): the export has no page account, and a team
-- answers under its people's own accounts. Decided here, so a change of [brand] re-splits
-- messages already loaded.
with source as (
    select * from {{ source('discord_export', 'discord_export__messages') }}
),

brand_accounts as (
    select distinct lower(ltrim(trim(account), '@')) as account
    from {{ source('ops', 'brand_accounts') }}
    where lower(platform) = 'discord'
),

messages as (
    select
        source.*,
        coalesce(
            lower(source.author_id) in (select account from brand_accounts)
            or lower(source.author_name) in (select account from brand_accounts)
            or exists (
                select 1
                from (
                    select unnest(from_json(source.author_roles, '["varchar"]')) as role_name
                ) as roles
                where lower(roles.role_name) in (select account from brand_accounts)
            ),
            false
        ) as is_brand
    from source
)

select
    {{ conform_interactions({
        'platform': "'discord'",
        'interaction_id': "message_id",
        'parent_id': "reference_message_id",
        'author_id': "author_id",
        'author_handle': "author_name",
        'is_outbound_by_source': "is_brand",
        'created_at': "created_at",
        'text': "content",
        'is_private': "false",
        'source_format': "'discord_export'",
        'source_file': "_source_file",
        'source_row': "_source_row",
        'loaded_at': "_loaded_at",
    }) }}
from messages
where message_type in ('Default', 'Reply')
    and (not coalesce(author_is_bot, false) or is_brand)
