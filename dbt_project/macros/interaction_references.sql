{#- One reference to an interaction, as people write it into an insight register, a curated
    labels file or a ticket, mapped to (platform, interaction_id) as the interactions carry it
    (docs/formats.md §3). Accepted:
    - `platform:interaction_id` (`twitter:` means x), e.g. `youtube:UgyA.B`, `inbox:m-17`;
    - YouTube  https://www.youtube.com/watch?v=VIDEO&lc=COMMENT, https://youtu.be/VIDEO?lc=COMMENT
               (`lc` is the comment id; a reply's `lc` is its PARENT.CHILD id, as the API's);
    - X        https://x.com/USER/status/ID (also twitter.com, mobile.twitter.com, /i/web/status/ID);
    - Mastodon https://HOST/@user/ID and https://HOST/users/user/statuses/ID: the ID is the
               status id on HOST. It equals the interaction id when HOST is the instance the
               API export was taken from (or the brand's own instance for its outbox); a
               remote status seen through another instance carries that instance's id, and
               the URL alone cannot tell it (DECISIONLOG);
    - Facebook any facebook.com / fb.com URL with comment_id= (reply_comment_id= wins: it
               names the reply). Graph API comment ids are POSTOBJECT_COMMENT; the URL gives
               POSTOBJECT only in /posts/N or story_fbid=N, so references are matched on the
               comment number (interaction_reference_key);
    - Instagram https://www.instagram.com/p/CODE/c/COMMENT/ (also /reel/, and /r/REPLY/ for a
               reply).
    Query strings other than those ids (utm_*, si=, t=, ...) are ignored. Anything else maps
    to NULLs and is reported as unmatched by the models that use it. -#}

{#- The URL's host, lower-case, without a leading www./m./mobile. -#}
{% macro _reference_host(reference) -%}
    lower({{ learnloop.regex_extract(reference, '^[A-Za-z][A-Za-z0-9+.-]*://(www\\.|m\\.|mobile\\.|web\\.)?([^/?#:]+)', 2) }})
{%- endmacro %}

{% macro interaction_reference_platform(reference) -%}
    {%- set ref = 'trim(' ~ reference ~ ')' -%}
    {%- set host = learnloop._reference_host(ref) -%}
    case
        when {{ ref }} like 'http://%' or {{ ref }} like 'https://%' then
            case
                when {{ host }} in ('youtube.com', 'youtu.be') then 'youtube'
                when {{ host }} in ('x.com', 'twitter.com') then 'x'
                when {{ host }} in ('facebook.com', 'fb.com') then 'facebook'
                when {{ host }} = 'instagram.com' then 'instagram'
                when {{ learnloop.regex_extract(ref, '^https?://[^/]+/(@[^/]+|users/[^/]+/statuses)/[0-9]+') }} is not null
                    then 'mastodon'
            end
        when {{ learnloop.regex_extract(ref, '^[A-Za-z][A-Za-z0-9_]*:[^/]') }} is not null then
            case
                when lower({{ learnloop.regex_extract(ref, '^([A-Za-z][A-Za-z0-9_]*):', 1) }}) = 'twitter'
                    then 'x'
                else lower({{ learnloop.regex_extract(ref, '^([A-Za-z][A-Za-z0-9_]*):', 1) }})
            end
    end
{%- endmacro %}

{% macro interaction_reference_id(reference) -%}
    {%- set ref = 'trim(' ~ reference ~ ')' -%}
    {%- set platform = learnloop.interaction_reference_platform(reference) -%}
    case
        when {{ ref }} like 'http://%' or {{ ref }} like 'https://%' then
            case {{ platform }}
                when 'youtube' then {{ learnloop.regex_extract(ref, '[?&]lc=([A-Za-z0-9_.-]+)', 1) }}
                when 'x' then {{ learnloop.regex_extract(ref, '/status(es)?/([0-9]+)', 2) }}
                when 'facebook' then coalesce(
                    {{ learnloop.regex_extract(ref, '[?&]reply_comment_id=([0-9_]+)', 1) }},
                    {{ learnloop.regex_extract(ref, '[?&]comment_id=([0-9_]+)', 1) }}
                )
                when 'instagram' then coalesce(
                    {{ learnloop.regex_extract(ref, '/c/[0-9]+/r/([0-9]+)', 1) }},
                    {{ learnloop.regex_extract(ref, '/c/([0-9]+)', 1) }}
                )
                when 'mastodon' then {{ learnloop.regex_extract(ref, '^https?://[^/]+/(@[^/]+|users/[^/]+/statuses)/([0-9]+)', 2) }}
            end
        when {{ platform }} is not null
            then nullif(trim({{ learnloop.regex_extract(ref, '^[A-Za-z][A-Za-z0-9_]*:(.*)$', 1) }}), '')
    end
{%- endmacro %}

{#- What a reference and an interaction are matched on: the id itself, except for Facebook,
    whose URLs name the comment number without the post-object prefix of Graph ids. Apply it
    to both sides of the join. -#}
{% macro interaction_reference_key(platform, interaction_id) -%}
    case
        when {{ platform }} = 'facebook'
            then {{ learnloop.regex_extract(interaction_id, '([^_]+)$', 1) }}
        else {{ interaction_id }}
    end
{%- endmacro %}
