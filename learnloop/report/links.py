"""Links the report shows go only to the platform's own hosts.

A thread's link is rebuilt from published ids (YouTube, X) or taken from the data: a Mastodon
status whose id is its URL, an evidence reference someone pasted into the insight register
or a ticket. Data can hold any URL, and a page the team trusts must not turn a message id
into a link to somebody else's site; such a thread is shown by its id, without a link.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from learnloop.config import Config
from learnloop.db import sql_literal

# Where each platform's messages live. Mastodon is federated: its hosts are the instances
# of the brand's own accounts ([brand] mastodon = ["name@instance"]).
PLATFORM_HOSTS: dict[str, tuple[str, ...]] = {
    "youtube": ("www.youtube.com", "youtube.com", "m.youtube.com", "youtu.be"),
    "x": ("x.com", "www.x.com", "mobile.x.com", "twitter.com", "www.twitter.com"),
    "facebook": ("www.facebook.com", "facebook.com", "m.facebook.com"),
    "instagram": ("www.instagram.com", "instagram.com"),
    "linkedin": ("www.linkedin.com", "linkedin.com"),
}
_HOST = re.compile(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+")


@dataclass(frozen=True)
class LinkHosts:
    """platform -> the hosts a link to one of its messages may point to."""

    by_platform: Mapping[str, tuple[str, ...]]

    @classmethod
    def of(cls, config: Config) -> LinkHosts:
        instances = {
            account.lstrip("@").rpartition("@")[2].lower()
            for account in config.brand.get("mastodon", ())
        }
        mastodon = tuple(sorted(host for host in instances if _HOST.fullmatch(host)))
        return cls({**PLATFORM_HOSTS, "mastodon": mastodon})

    def sql(self, platform: str, url: str) -> str:
        """A DuckDB expression: `url` when it is https on one of `platform`'s hosts, else NULL.
        The host is everything between `https://` and the path, so `x.com@evil.example` or
        `x.com.evil.example` are not x.com."""
        host = f"lower(regexp_extract({url}, '^https://([^/?#]*)', 1))"
        allowed = [
            f"({platform} = {sql_literal(name)} AND {host} IN "
            f"({', '.join(sql_literal(h) for h in hosts)}))"
            for name, hosts in sorted(self.by_platform.items())
            if hosts
        ]
        return f"CASE WHEN {' OR '.join(allowed) or 'false'} THEN {url} END"
