"""Configuration: `learnloop.toml` under LEARNLOOP_HOME, overridable by environment variables.

Every key can be set as `LEARNLOOP_<SECTION>_<KEY>` (top-level keys as `LEARNLOOP_<KEY>`);
list values in the environment are comma-separated. An invalid value raises ConfigError
naming the key, before any work starts.
"""

from __future__ import annotations

import os
import re
import secrets
import tomllib
import zoneinfo
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from learnloop.db import Limits, use_limits
from learnloop.errors import ConfigError
from learnloop.paths import Home

REPORT_LANGUAGES = ("en", "de")  # the languages learnloop/report/texts.py speaks
PLATFORMS = ("youtube", "instagram", "facebook", "x", "linkedin", "mastodon")

# Canonical inbox fields that a `[inbox.columns]` mapping may name (see formats.md §1).
INBOX_FIELDS = (
    "conversation_id",
    "message_id",
    "created_at",
    "direction",
    "author",
    "platform",
    "text",
    "parent_id",
    "post_url",
)

DEFAULT_TOML = """\
# LearnLoop configuration. Every key can be overridden by an environment variable
# LEARNLOOP_<SECTION>_<KEY>, e.g. LEARNLOOP_PUBLISH_KEEP_SNAPSHOTS=14.

timezone = "UTC"                    # reporting time zone (IANA name): ISO weeks start Monday 00:00 here

[brand]                             # per platform: the brand's own account ids and/or handles
# youtube = ["UCxxxxxxxxxxxxxxxxxxxxxx"]
# instagram = ["examplebrand"]

[timezones]                         # optional: exports whose naive local times are elsewhere
# inbox_csv = "America/New_York"

[privacy]
# salt = "..."                      # when missing, generated once into secrets/member_salt (0600)
publish_handles = false             # true: publish raw author handles next to member_key
publish_private_text = false        # true: publish the text of direct/private messages

[publish]
keep_snapshots = 7                  # published files kept in warehouse/snapshots/ for rollback
storage_version = "v1.1.0"          # DuckDB storage version of the published file (1.1+ can read it)

[gates]
max_volume_drop = 0.5               # stop publishing when interactions fall by more than this share
future_tolerance_minutes = 60       # timestamps this far in the future still pass the raw gate
earliest_year = 2000                # timestamps before January 1 of this year fail the raw gate

[report]
language = "en"                     # language of the weekly HTML report: "en" or "de"

[delivery]                          # optional: mail the last complete week's report once
email_to = []                       # e.g. ["team@example.org"]; empty: no mail (the default)
email_from = ""                     # sender; empty: the Airflow connection's from_email
smtp_conn_id = "smtp_default"       # Airflow connection of the SMTP server

[landing]
settle_seconds = 5                  # a landed file changed within this many seconds waits for the next run (0..3600)

[inbox.columns]                     # optional: header names of an inbox tool LearnLoop does not know
# message_id = "Ticket Message #"

[performance]
memory_limit = "80%"                # DuckDB memory limit of ingest, dbt and gates ("2GB", "80%" of RAM)
threads = 0                         # DuckDB threads; 0 = one per CPU core
temp_directory = ""                 # where DuckDB spills when over the limit; "" = next to the database
full_refresh = false                # true: rebuild every incremental model (learnloop run --full-refresh)
"""


@dataclass(frozen=True)
class PrivacyConfig:
    salt: str = field(repr=False)  # a secret: never in a repr, log line or traceback
    publish_handles: bool = False
    publish_private_text: bool = False


@dataclass(frozen=True)
class PublishConfig:
    keep_snapshots: int = 7
    storage_version: str = "v1.1.0"


@dataclass(frozen=True)
class GatesConfig:
    max_volume_drop: float = 0.5
    future_tolerance_minutes: int = 60
    # Before this year no export LearnLoop reads has data: such a time is a parse error or a
    # placeholder (1970-01-01, 1900-01-01), and would put a message into a week long gone.
    earliest_year: int = 2000


@dataclass(frozen=True)
class ReportConfig:
    language: str = "en"


@dataclass(frozen=True)
class DeliveryConfig:
    email_to: tuple[str, ...] = ()  # empty: delivery is off
    email_from: str = ""
    smtp_conn_id: str = "smtp_default"


@dataclass(frozen=True)
class LandingConfig:
    # A file written to within this many seconds may still be growing: it waits for the
    # next run instead of loading half of it.
    settle_seconds: int = 5


@dataclass(frozen=True)
class PerformanceConfig:
    memory_limit: str = "80%"
    threads: int = 0
    temp_directory: str = ""
    full_refresh: bool = False


@dataclass(frozen=True)
class Config:
    home: Home
    timezone: str
    privacy: PrivacyConfig
    publish: PublishConfig
    gates: GatesConfig
    report: ReportConfig = field(default_factory=ReportConfig)
    delivery: DeliveryConfig = field(default_factory=DeliveryConfig)
    brand: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    timezones: Mapping[str, str] = field(default_factory=dict)
    inbox_columns: Mapping[str, str] = field(default_factory=dict)
    performance: PerformanceConfig = field(default_factory=PerformanceConfig)
    landing: LandingConfig = field(default_factory=LandingConfig)

    def timezone_for(self, format_name: str) -> str:
        """The zone in which a format's naive timestamps are local times."""
        return self.timezones.get(format_name, self.timezone)

    def __repr__(self) -> str:  # never show the salt, not even in a debugger or a log line
        return f"Config(home={self.home.root}, timezone={self.timezone!r}, brand={self.brand!r})"


# --- value parsers: each gets the key (for the message) and the raw value --------------------


def _timezone(key: str, value: Any) -> str:
    if not isinstance(value, str) or value not in zoneinfo.available_timezones():
        raise ConfigError(f"{key}: {value!r} is not an IANA time zone name (e.g. 'Europe/Berlin')")
    return value


def _bool(key: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in {"true", "1", "yes", "false", "0", "no"}:
        return value.strip().lower() in {"true", "1", "yes"}
    raise ConfigError(f"{key}: expected true or false, got {value!r}")


def _int_at_least(minimum: int) -> Callable[[str, Any], int]:
    def parse(key: str, value: Any) -> int:
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = None
        if number is None or isinstance(value, bool | float) or number < minimum:
            raise ConfigError(f"{key}: expected a whole number >= {minimum}, got {value!r}")
        return number

    return parse


def _int_between(minimum: int, maximum: int) -> Callable[[str, Any], int]:
    def parse(key: str, value: Any) -> int:
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = None
        if number is None or isinstance(value, bool | float) or not minimum <= number <= maximum:
            raise ConfigError(
                f"{key}: expected a whole number from {minimum} to {maximum}, got {value!r}"
            )
        return number

    return parse


def _share(key: str, value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = -1.0
    if isinstance(value, bool) or not 0.0 <= number <= 1.0:
        raise ConfigError(f"{key}: expected a share between 0 and 1, got {value!r}")
    return number


def _storage_version(key: str, value: Any) -> str:
    if not isinstance(value, str) or not re.fullmatch(r"v\d+\.\d+\.\d+", value):
        raise ConfigError(f"{key}: expected a DuckDB storage version like 'v1.1.0', got {value!r}")
    import duckdb  # only DuckDB itself knows which versions it can write

    with duckdb.connect() as con:
        try:
            con.execute(f"ATTACH ':memory:' AS probe (STORAGE_VERSION '{value}')")
        except duckdb.Error:
            raise ConfigError(f"{key}: {value!r} is not a storage version DuckDB knows") from None
    return value


def _language(key: str, value: Any) -> str:
    if not isinstance(value, str) or value.strip().lower() not in REPORT_LANGUAGES:
        raise ConfigError(f"{key}: expected one of {', '.join(REPORT_LANGUAGES)}, got {value!r}")
    return value.strip().lower()


def _email_addresses(key: str, value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [part for part in value.split(",") if part.strip()]
    if not isinstance(value, list) or not all(
        isinstance(v, str) and re.fullmatch(r"[^@\s]+@[^@\s]+", v.strip()) for v in value
    ):
        raise ConfigError(f"{key}: expected a list of e-mail addresses, got {value!r}")
    return tuple(v.strip() for v in value)


def _email_or_empty(key: str, value: Any) -> str:
    if value == "":
        return ""
    return _email_addresses(key, [value] if isinstance(value, str) else value)[0]


def _connection_id(key: str, value: Any) -> str:
    if not isinstance(value, str) or not re.fullmatch(r"[A-Za-z0-9_.-]+", value):
        raise ConfigError(f"{key}: expected an Airflow connection id, got {value!r}")
    return value


_MEMORY_LIMIT = re.compile(r"^\s*\d+(\.\d+)?\s*(%|[KMGT]i?B)\s*$", re.IGNORECASE)


def _memory_limit(key: str, value: Any) -> str:
    if not isinstance(value, str) or not _MEMORY_LIMIT.match(value):
        raise ConfigError(f"{key}: expected a size like '2GB' or a share like '80%', got {value!r}")
    return value.strip()


def _text(key: str, value: Any) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"{key}: expected a string, got {value!r}")
    return value


def _salt(key: str, value: Any) -> str:
    if not isinstance(value, str) or len(value) < 16:
        raise ConfigError(f"{key}: expected a secret string of at least 16 characters")
    return value


def _accounts(key: str, value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [part for part in value.split(",") if part.strip()]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ConfigError(f"{key}: expected a list of account ids or handles")
    return tuple(v.strip() for v in value)


def _header_name(key: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{key}: expected the column header as a non-empty string")
    return value


# Fixed sections: key -> parser. Open sections ([brand], [timezones], [inbox.columns]) below.
_TOP_LEVEL: dict[str, Callable[[str, Any], Any]] = {"timezone": _timezone}
_SECTIONS: dict[str, dict[str, Callable[[str, Any], Any]]] = {
    "privacy": {"salt": _salt, "publish_handles": _bool, "publish_private_text": _bool},
    "publish": {"keep_snapshots": _int_at_least(1), "storage_version": _storage_version},
    "gates": {
        "max_volume_drop": _share,
        "future_tolerance_minutes": _int_at_least(0),
        "earliest_year": _int_at_least(1970),
    },
    "report": {"language": _language},
    "landing": {"settle_seconds": _int_between(0, 3600)},
    "delivery": {
        "email_to": _email_addresses,
        "email_from": _email_or_empty,
        "smtp_conn_id": _connection_id,
    },
    "performance": {
        "memory_limit": _memory_limit,
        "threads": _int_at_least(0),
        "temp_directory": _text,
        "full_refresh": _bool,
    },
}
_OPEN_SECTIONS = ("brand", "timezones", "inbox")


def load_config(home: Home | None = None, environ: Mapping[str, str] | None = None) -> Config:
    """Read, override and validate the configuration; create the file with defaults if missing."""
    home = home or Home.from_environment(environ)
    environ = os.environ if environ is None else environ
    home.ensure()
    if not home.config_file.exists():
        home.config_file.write_text(DEFAULT_TOML, encoding="utf-8")
    try:
        raw = tomllib.loads(home.config_file.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{home.config_file}: not valid TOML ({exc})") from None
    _reject_unknown_keys(raw)
    config = _build(home, raw, environ)
    # Every DuckDB connection of this process (ingest, gates, publish) honours the limits.
    use_limits(duckdb_limits(config))
    return config


def duckdb_limits(config: Config) -> Limits:
    performance = config.performance
    return Limits(performance.memory_limit, performance.threads, performance.temp_directory)


def _reject_unknown_keys(raw: Mapping[str, Any]) -> None:
    for key, value in raw.items():
        if key in _TOP_LEVEL:
            continue
        if key in _SECTIONS:
            if not isinstance(value, dict):
                raise ConfigError(f"[{key}]: expected a table of settings")
            for sub in value:
                if sub not in _SECTIONS[key]:
                    known = ", ".join(_SECTIONS[key])
                    raise ConfigError(f"{key}.{sub}: unknown key (known: {known})")
        elif key in _OPEN_SECTIONS:
            if not isinstance(value, dict):
                raise ConfigError(f"[{key}]: expected a table of settings")
        else:
            raise ConfigError(f"{key}: unknown key or section")


def _env_value(environ: Mapping[str, str], *parts: str) -> str | None:
    return environ.get("LEARNLOOP_" + "_".join(p.upper() for p in parts))


def _setting(
    raw: Mapping[str, Any],
    environ: Mapping[str, str],
    section: str | None,
    key: str,
    parse: Callable[[str, Any], Any],
    default: Any,
) -> Any:
    table = raw.get(section, {}) if section else raw
    env = _env_value(environ, *([section] if section else []), key)
    name = f"{section}.{key}" if section else key
    if env is not None:
        return parse(f"{name} (from LEARNLOOP_{name.replace('.', '_').upper()})", env)
    if key in table:
        return parse(name, table[key])
    return default


def _build(home: Home, raw: Mapping[str, Any], environ: Mapping[str, str]) -> Config:
    timezone = _setting(raw, environ, None, "timezone", _timezone, "UTC")

    def section(name: str, defaults: Any) -> dict[str, Any]:
        return {
            key: _setting(raw, environ, name, key, parse, getattr(defaults, key, None))
            for key, parse in _SECTIONS[name].items()
        }

    privacy = section("privacy", PrivacyConfig(salt=""))
    privacy["salt"] = privacy["salt"] or _stored_salt(home)
    publish = section("publish", PublishConfig())
    gates = section("gates", GatesConfig())
    report = section("report", ReportConfig())
    delivery = section("delivery", DeliveryConfig())
    performance = section("performance", PerformanceConfig())
    landing = section("landing", LandingConfig())

    brand = _open_section(raw, environ, "brand", _accounts, allowed=PLATFORMS)
    timezones = _open_section(raw, environ, "timezones", _timezone, allowed=None)
    inbox_columns = _inbox_columns(raw.get("inbox", {}), environ)

    return Config(
        home=home,
        timezone=timezone,
        privacy=PrivacyConfig(**privacy),
        publish=PublishConfig(**publish),
        gates=GatesConfig(**gates),
        report=ReportConfig(**report),
        delivery=DeliveryConfig(**delivery),
        brand=brand,
        timezones=timezones,
        inbox_columns=inbox_columns,
        performance=PerformanceConfig(**performance),
        landing=LandingConfig(**landing),
    )


def _inbox_columns(inbox: Mapping[str, Any], environ: Mapping[str, str]) -> dict[str, str]:
    """[inbox.columns]: canonical field -> header name; LEARNLOOP_INBOX_COLUMNS_<FIELD> wins."""
    for key in set(inbox) - {"columns"}:
        raise ConfigError(f"inbox.{key}: unknown key (known: columns)")
    columns = inbox.get("columns", {})
    if not isinstance(columns, dict):
        raise ConfigError('inbox.columns: expected a table of field = "header" pairs')
    values = dict(columns)
    prefix = "LEARNLOOP_INBOX_COLUMNS_"
    values.update({k[len(prefix) :].lower(): v for k, v in environ.items() if k.startswith(prefix)})
    result = {}
    for key, value in values.items():
        if key not in INBOX_FIELDS:
            known = ", ".join(INBOX_FIELDS)
            raise ConfigError(f"inbox.columns.{key}: unknown field (known: {known})")
        result[key] = _header_name(f"inbox.columns.{key}", value)
    return result


def _open_section(
    raw: Mapping[str, Any],
    environ: Mapping[str, str],
    name: str,
    parse: Callable[[str, Any], Any],
    allowed: tuple[str, ...] | None,
) -> dict[str, Any]:
    values = dict(raw.get(name, {}))
    prefix = f"LEARNLOOP_{name.upper()}_"
    values.update({k[len(prefix) :].lower(): v for k, v in environ.items() if k.startswith(prefix)})
    result = {}
    for key, value in values.items():
        if allowed is not None and key not in allowed:
            raise ConfigError(f"{name}.{key}: unknown platform (known: {', '.join(allowed)})")
        result[key] = parse(f"{name}.{key}", value)
    return result


def _stored_salt(home: Home) -> str:
    """The installation's member salt: generated once, readable by the owner only, never printed."""
    path = home.salt_file
    if not path.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_text(encoding="utf-8").strip()
