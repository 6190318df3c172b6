{#- Links to the platforms' messages, published by the report marts and topics_weekly.
    A link is published only when it is https on one of its platform's hosts
    (int_platforms__link_hosts); anything else is NULL, so a message id or a pasted URL on
    another host never becomes a link on a page the team trusts. -#}

{#- The host of an https URL: everything between `https://` and the path, lower case, so
    `x.com@evil.example` or `x.com.evil.example` are not x.com. NULL for other schemes. -#}
{% macro url_host(url) -%}
    lower({{ learnloop.regex_extract(url, '^https://([^/?#]*)', 1) }})
{%- endmacro %}

{#- `url` when it is https on one of `platform`'s hosts, else NULL. -#}
{% macro platform_link(platform, url) -%}
    case when exists (
        select 1 from {{ ref('int_platforms__link_hosts') }} as link_hosts
        where link_hosts.platform = {{ platform }}
            and link_hosts.host = {{ learnloop.url_host(url) }}
    ) then {{ url }} end
{%- endmacro %}

{#- The link to a message, rebuilt from its published ids where the platform's URL can be:
    a YouTube comment (its video and comment id), an X post (numeric id), a Mastodon status
    (its id is its URL). NULL for private messages and for every other message. `alias`
    is a relation with the columns of interactions. -#}
{% macro interaction_link(alias) -%}
    {%- set rebuilt -%}
    case
        when {{ alias }}.is_private then null
        when {{ alias }}.platform = 'youtube' and {{ alias }}.source_format like 'youtube%'
            and {{ alias }}.post_id is not null
            then 'https://www.youtube.com/watch?v=' || {{ alias }}.post_id
                || '&lc=' || {{ alias }}.interaction_id
        when {{ alias }}.platform = 'x'
            and {{ learnloop.regex_extract(alias ~ '.interaction_id', '^[0-9]+$') }} is not null
            then 'https://x.com/i/web/status/' || {{ alias }}.interaction_id
        when {{ alias }}.platform = 'mastodon' and {{ alias }}.interaction_id like 'https://%'
            then {{ alias }}.interaction_id
    end
    {%- endset -%}
    {{ learnloop.platform_link(alias ~ '.platform', rebuilt) }}
{%- endmacro %}
