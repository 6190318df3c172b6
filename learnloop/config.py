"""Configuration: `learnloop.toml` under LEARNLOOP_HOME, overridable by environment variables.

One pydantic-settings model, `Config`, reads two sources: `LEARNLOOP_<SECTION>_<KEY>`
variables (top-level keys as `LEARNLOOP_<KEY>`, lists comma-separated) over the TOML file,
over the defaults. Every value has a rule with a documented range; an invalid value raises
ConfigError with one line naming the key (and the variable it came from), before any work.
"""

from __future__ import annotations

import os
import re
import secrets
import zoneinfo
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, PrivateAttr
from pydantic import ValidationError as PydanticValidationError
from pydantic_core import PydanticCustomError
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from learnloop import machine
from learnloop.db import DEFAULT_MEMORY_LIMIT, Limits, use_limits
from learnloop.errors import ConfigError
from learnloop.paths import Home
from learnloop.platforms import PLATFORMS  # the ones the export formats declare

REPORT_LANGUAGES = ("en", "de")  # the languages learnloop/report/texts.py speaks

# Canonical inbox fields that a `[inbox.columns]` mapping may name (see docs/formats.md §1).
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

# Ranges of the numeric keys. Wider values are mistakes that fail late or hang a machine:
# `threads = 100000000` started ~29,000 threads, `future_tolerance_minutes = 10^15` overflowed.
KEEP_SNAPSHOTS = (1, 1000)
FUTURE_TOLERANCE_MINUTES = (0, 1440)  # up to a day: beyond that "future" is not clock skew
EARLIEST_YEAR_MIN = 1970  # ... up to this year: a later bound would reject today's data
SETTLE_SECONDS = (0, 3600)
THREADS_PER_CORE = 4
MEMORY_LIMIT_MIN = 64_000_000  # 64MB: DuckDB needs some room for any query
MEMORY_SHARE = (1, 100)  # percent of the machine's memory
EMBEDDING_BUDGET = (0, 1_000_000)  # texts per run; a million is ~14 h on one thread

DEFAULT_TOML = """\
# LearnLoop configuration. Every key can be overridden by an environment variable
# LEARNLOOP_<SECTION>_<KEY>, e.g. LEARNLOOP_PUBLISH_KEEP_SNAPSHOTS=14.
# Numbers outside the range in brackets stop LearnLoop before any work.

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

[landing]
settle_seconds = 5                  # seconds a landed file must stay unchanged before it is loaded [0..3600]

[publish]
keep_snapshots = 7                  # published files kept in warehouse/snapshots/ for rollback [1..1000]
storage_version = "v1.1.0"          # DuckDB storage version of the published file (1.1+ can read it)

[gates]
max_volume_drop = 0.5               # stop publishing when interactions fall by more than this share [0..1]
future_tolerance_minutes = 60       # timestamps this far in the future still pass the raw gate [0..1440]
earliest_year = 2000                # timestamps before January 1 of this year fail the raw gate [1970..this year]

[report]
language = "en"                     # language of the weekly HTML report: "en" or "de"

[delivery]                          # optional: mail the last complete week's report once
email_to = []                       # e.g. ["team@example.org"]; empty: no mail (the default)
email_from = ""                     # sender; empty: the Airflow connection's from_email
smtp_conn_id = "smtp_default"       # Airflow connection of the SMTP server

[inbox.columns]                     # optional: header names of an inbox tool LearnLoop does not know
# message_id = "Ticket Message #"

[performance]
memory_limit = "256MB"              # DuckDB memory limit of ingest, dbt and gates (it spills beyond):
                                    # a size ("2GB") [64MB..this machine's memory] or a share [1%..100%]
threads = 0                         # DuckDB threads; 0 = one per CPU core [0, or 1..4 x CPU cores]
temp_directory = ""                 # where DuckDB spills when over the limit; "" = next to the database
full_refresh = false                # true: rebuild every incremental model (learnloop run --full-refresh)

[classifier]                        # the learned signal classifier (README, Signals)
embedding_budget = 5000             # new texts embedded per run (~20/s per thread); the rest wait,
                                    # the rules classify them meanwhile [0..1000000]
threads = 1                         # threads of the embedding model, so a run cannot starve the
                                    # machine [1..CPU cores]
"""


# --- value rules: each returns the clean value or rejects it with a one-line reason --------
# The key is not known here; ConfigError's message puts it in front of the reason.


def _reject(reason: str) -> PydanticCustomError:
    return PydanticCustomError("learnloop", "{reason}", {"reason": reason})


def _timezone(value: Any) -> str:
    if not isinstance(value, str) or value not in zoneinfo.available_timezones():
        raise _reject(f"{value!r} is not an IANA time zone name (e.g. 'Europe/Berlin')")
    return value


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in {"true", "1", "yes", "false", "0", "no"}:
        return value.strip().lower() in {"true", "1", "yes"}
    raise _reject(f"expected true or false, got {value!r}")


def _as_whole_number(value: Any) -> int | None:
    """An int, or a string of one (from the environment); never a bool or a float (1e30)."""
    if isinstance(value, bool | float):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _whole_number(low: int, high: int | Callable[[], int]) -> Callable[[Any], int]:
    def parse(value: Any) -> int:
        number, top = _as_whole_number(value), high() if callable(high) else high
        if number is None or not low <= number <= top:
            raise _reject(f"expected a whole number from {low} to {top}, got {value!r}")
        return number

    return parse


def _this_year() -> int:
    return datetime.now(UTC).year


_earliest_year = _whole_number(EARLIEST_YEAR_MIN, _this_year)
_future_tolerance = _whole_number(*FUTURE_TOLERANCE_MINUTES)


def _threads(value: Any) -> int:
    number, cores = _as_whole_number(value), machine.cpu_cores()
    top = THREADS_PER_CORE * cores
    if number is None or not 0 <= number <= top:
        raise _reject(
            f"expected 0 (one per CPU core) or a whole number from 1 to {top} "
            f"({THREADS_PER_CORE} x {cores} CPU cores), got {value!r}"
        )
    return number


def _classifier_threads(value: Any) -> int:
    number, cores = _as_whole_number(value), machine.cpu_cores()
    if number is None or not 1 <= number <= cores:
        raise _reject(f"expected a whole number from 1 to {cores} (CPU cores), got {value!r}")
    return number


def _share(value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = -1.0
    if isinstance(value, bool) or not 0.0 <= number <= 1.0:
        raise _reject(f"expected a share between 0 and 1, got {value!r}")
    return number


_MEMORY_LIMIT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(%|[KMGT]i?B)\s*$", re.IGNORECASE)
# DuckDB's units: KB, MB, ... are powers of 1000, KiB, MiB, ... powers of 1024.
_UNIT_BYTES = {
    f"{prefix}{infix}b": (1024 if infix else 1000) ** power
    for power, prefix in enumerate("kmgt", start=1)
    for infix in ("", "i")
}


def _memory_limit(value: Any) -> str:
    match = _MEMORY_LIMIT.match(value) if isinstance(value, str) else None
    if match is None:
        raise _reject(f"expected a size like '2GB' or a share like '80%', got {value!r}")
    number, unit = float(match[1]), match[2].lower()
    memory = machine.memory_bytes()
    if unit == "%":
        within = MEMORY_SHARE[0] <= number <= MEMORY_SHARE[1]
    else:
        within = MEMORY_LIMIT_MIN <= number * _UNIT_BYTES[unit] <= memory
    if not within:
        top = f"{int(memory / 10**8) / 10:g}GB"  # rounded down, so the bound itself is accepted
        raise _reject(
            f"expected a size from {MEMORY_LIMIT_MIN // 10**6}MB to {top} (this machine's memory) "
            f"or a share from {MEMORY_SHARE[0]}% to {MEMORY_SHARE[1]}%, got {value!r}"
        )
    return value.strip()


def _storage_version(value: Any) -> str:
    if not isinstance(value, str) or not re.fullmatch(r"v\d+\.\d+\.\d+", value):
        raise _reject(f"expected a DuckDB storage version like 'v1.1.0', got {value!r}")
    import duckdb  # only DuckDB itself knows which versions it can write

    with duckdb.connect() as con:
        try:
            con.execute(f"ATTACH ':memory:' AS probe (STORAGE_VERSION '{value}')")
        except duckdb.Error:
            raise _reject(f"{value!r} is not a storage version DuckDB knows") from None
    return value


def _language(value: Any) -> str:
    if not isinstance(value, str) or value.strip().lower() not in REPORT_LANGUAGES:
        raise _reject(f"expected one of {', '.join(REPORT_LANGUAGES)}, got {value!r}")
    return value.strip().lower()


def _comma_separated(value: Any) -> Any:
    """Lists from the environment are comma-separated strings."""
    if isinstance(value, str):
        return [part for part in value.split(",") if part.strip()]
    return value


def _email_addresses(value: Any) -> tuple[str, ...]:
    value = _comma_separated(value)
    if not isinstance(value, list) or not all(
        isinstance(v, str) and re.fullmatch(r"[^@\s]+@[^@\s]+", v.strip()) for v in value
    ):
        raise _reject(f"expected a list of e-mail addresses, got {value!r}")
    return tuple(v.strip() for v in value)


def _email_or_empty(value: Any) -> str:
    if value == "":
        return ""
    return _email_addresses([value] if isinstance(value, str) else value)[0]


def _connection_id(value: Any) -> str:
    if not isinstance(value, str) or not re.fullmatch(r"[A-Za-z0-9_.-]+", value):
        raise _reject(f"expected an Airflow connection id, got {value!r}")
    return value


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise _reject(f"expected a string, got {value!r}")
    return value


def _salt(value: Any) -> str:
    if not isinstance(value, str) or len(value) < 16:
        raise _reject("expected a secret string of at least 16 characters")  # never echoed
    return value


def _accounts(value: Any) -> tuple[str, ...]:
    value = _comma_separated(value)
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise _reject("expected a list of account ids or handles")
    return tuple(v.strip() for v in value)


def _header_name(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _reject("expected the column header as a non-empty string")
    return value


def _one_of(names: tuple[str, ...], what: str) -> Callable[[str], str]:
    def check(name: str) -> str:
        if name not in names:
            raise _reject(f"unknown {what} (known: {', '.join(names)})")
        return name

    return check


# --- the model -------------------------------------------------------------------------


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class PrivacyConfig(_Section):
    # The salt is a secret: never in a repr, a log line or a traceback.
    salt: Annotated[str, BeforeValidator(_salt)] = Field("", repr=False)
    publish_handles: Annotated[bool, BeforeValidator(_bool)] = False
    publish_private_text: Annotated[bool, BeforeValidator(_bool)] = False


class LandingConfig(_Section):
    settle_seconds: Annotated[int, BeforeValidator(_whole_number(*SETTLE_SECONDS))] = 5


class PublishConfig(_Section):
    keep_snapshots: Annotated[int, BeforeValidator(_whole_number(*KEEP_SNAPSHOTS))] = 7
    storage_version: Annotated[str, BeforeValidator(_storage_version)] = "v1.1.0"


class GatesConfig(_Section):
    max_volume_drop: Annotated[float, BeforeValidator(_share)] = 0.5
    future_tolerance_minutes: Annotated[int, BeforeValidator(_future_tolerance)] = 60
    # Before this year no export LearnLoop reads has data: such a time is a parse error or a
    # placeholder (1970-01-01, 1900-01-01), and would put a message into a week long gone.
    earliest_year: Annotated[int, BeforeValidator(_earliest_year)] = 2000


class ReportConfig(_Section):
    language: Annotated[str, BeforeValidator(_language)] = "en"


class DeliveryConfig(_Section):
    # Empty: delivery is off.
    email_to: Annotated[tuple[str, ...], BeforeValidator(_email_addresses)] = ()
    email_from: Annotated[str, BeforeValidator(_email_or_empty)] = ""
    smtp_conn_id: Annotated[str, BeforeValidator(_connection_id)] = "smtp_default"


class InboxConfig(_Section):
    columns: dict[
        Annotated[str, AfterValidator(_one_of(INBOX_FIELDS, "field"))],
        Annotated[str, BeforeValidator(_header_name)],
    ] = {}


class PerformanceConfig(_Section):
    memory_limit: Annotated[str, BeforeValidator(_memory_limit)] = DEFAULT_MEMORY_LIMIT
    threads: Annotated[int, BeforeValidator(_threads)] = 0
    temp_directory: Annotated[str, BeforeValidator(_text)] = ""
    full_refresh: Annotated[bool, BeforeValidator(_bool)] = False


class ClassifierConfig(_Section):
    # About 5 minutes per run on one thread; a first import of a long history is embedded
    # newest first over several runs, the rules classify what waits.
    embedding_budget: Annotated[int, BeforeValidator(_whole_number(*EMBEDDING_BUDGET))] = 5000
    threads: Annotated[int, BeforeValidator(_classifier_threads)] = 1


# Which file and environment the current load_config() reads: pydantic-settings asks the
# class, not the instance, for its sources.
_SOURCES: ContextVar[tuple[Path, Mapping[str, str]]] = ContextVar("learnloop_config_sources")


class Config(BaseSettings):
    """The validated settings of one LEARNLOOP_HOME; made by `load_config`."""

    model_config = SettingsConfigDict(
        env_prefix="LEARNLOOP_",
        env_nested_delimiter="_",
        env_nested_max_split=1,  # LEARNLOOP_PUBLISH_KEEP_SNAPSHOTS -> publish.keep_snapshots
        enable_decoding=False,  # lists in the environment are comma-separated, not JSON
        extra="forbid",
        frozen=True,
    )

    timezone: Annotated[str, BeforeValidator(_timezone)] = "UTC"
    brand: dict[
        Annotated[str, AfterValidator(_one_of(PLATFORMS, "platform"))],
        Annotated[tuple[str, ...], BeforeValidator(_accounts)],
    ] = {}
    timezones: dict[str, Annotated[str, BeforeValidator(_timezone)]] = {}
    privacy: PrivacyConfig = PrivacyConfig()
    landing: LandingConfig = LandingConfig()
    publish: PublishConfig = PublishConfig()
    gates: GatesConfig = GatesConfig()
    report: ReportConfig = ReportConfig()
    delivery: DeliveryConfig = DeliveryConfig()
    inbox: InboxConfig = InboxConfig()
    performance: PerformanceConfig = PerformanceConfig()
    classifier: ClassifierConfig = ClassifierConfig()

    _home: Home = PrivateAttr()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml_file, environ = _SOURCES.get()
        return _EnvironmentSource(settings_cls, environ), TomlConfigSettingsSource(
            settings_cls, toml_file
        )

    @property
    def home(self) -> Home:
        return self._home

    @property
    def inbox_columns(self) -> Mapping[str, str]:
        """[inbox.columns]: canonical inbox field -> the header name of the user's tool."""
        return self.inbox.columns

    def timezone_for(self, format_name: str) -> str:
        """The zone in which a format's naive timestamps are local times."""
        return self.timezones.get(format_name, self.timezone)

    def __repr__(self) -> str:  # never show the salt, not even in a debugger or a log line
        return f"Config(home={self.home.root}, timezone={self.timezone!r}, brand={self.brand!r})"

    __str__ = __repr__


class _EnvironmentSource(EnvSettingsSource):
    """LEARNLOOP_* variables of the given environment (not necessarily os.environ)."""

    def __init__(self, settings_cls: type[BaseSettings], environ: Mapping[str, str]) -> None:
        super().__init__(settings_cls)
        self.env_vars = {name.lower(): value for name, value in environ.items()}

    def explode_env_vars(self, field_name: str, field: Any, env_vars: Mapping[str, Any]) -> Any:
        values = super().explode_env_vars(field_name, field, env_vars)
        if field_name == "inbox":  # LEARNLOOP_INBOX_COLUMNS_<FIELD>: one level deeper
            for key in [k for k in values if k.startswith("columns_")]:
                values.setdefault("columns", {})[key.removeprefix("columns_")] = values.pop(key)
        return values


# --- loading -----------------------------------------------------------------------------


def load_config(home: Home | None = None, environ: Mapping[str, str] | None = None) -> Config:
    """Read, override and validate the configuration; create the file with defaults if missing."""
    home = home or Home.from_environment(environ)
    environ = os.environ if environ is None else environ
    # The top of a home with workspaces holds no data of its own: no landing/ to drop files
    # into by mistake, no member salt (each workspace has its own).
    shared_top = home.workspaces.exists()
    if not shared_top:
        home.ensure()
    if not home.config_file.exists():
        home.config_file.write_text(DEFAULT_TOML, encoding="utf-8")
    _check_encoding(home.config_file)
    with _reading(home.config_file, environ):
        try:
            config = Config()
        except PydanticValidationError as exc:
            raise ConfigError(_first_problem(exc, environ)) from None
        except ValueError as exc:  # tomllib.TOMLDecodeError, or bytes that are not UTF-8
            raise ConfigError(f"{home.config_file}: not valid TOML ({exc})") from None
    config._home = home
    if not config.privacy.salt and not shared_top:
        privacy = config.privacy.model_copy(update={"salt": _stored_salt(home)})
        config = config.model_copy(update={"privacy": privacy})
    # Every DuckDB connection of this process (ingest, gates, publish) honours the limits.
    use_limits(duckdb_limits(config))
    return config


def duckdb_limits(config: Config) -> Limits:
    performance = config.performance
    return Limits(performance.memory_limit, performance.threads, performance.temp_directory)


@contextmanager
def _reading(toml_file: Path, environ: Mapping[str, str]) -> Iterator[None]:
    token = _SOURCES.set((toml_file, environ))
    try:
        yield
    finally:
        _SOURCES.reset(token)


def _check_encoding(config_file: Path) -> None:
    """Editors on Windows save UTF-8 with a byte order mark, which TOML parsers refuse with a
    puzzling "Invalid statement"; say what it is instead."""
    with config_file.open("rb") as handle:
        if handle.read(3) == b"\xef\xbb\xbf":
            raise ConfigError(
                f"{config_file}: starts with a UTF-8 byte order mark (BOM), which TOML does not "
                "allow; save the file as UTF-8 without BOM"
            )


def _first_problem(exc: PydanticValidationError, environ: Mapping[str, str]) -> str:
    """The first validation error as one line that names the key (and its variable)."""
    error = exc.errors()[0]
    path = [str(part) for part in error["loc"] if part != "[key]"]
    key = ".".join(path)
    kind = error["type"]
    if kind == "extra_forbidden":
        if len(path) == 1:
            return f"{key}: unknown key or section"
        known = ", ".join(_section_model(path[:-1]).model_fields)
        return f"{key}: unknown key (known: {known})"
    if kind in {"model_type", "model_attributes_type", "dict_type"}:
        return f"[{key}]: expected a table of settings"
    reason = error["ctx"]["reason"] if kind == "learnloop" else error["msg"]
    variable = "LEARNLOOP_" + "_".join(path).upper()
    if "[key]" not in error["loc"] and variable in {name.upper() for name in environ}:
        key = f"{key} (from {variable})"
    return f"{key}: {reason}"


def _section_model(path: list[str]) -> type[BaseModel]:
    model: type[BaseModel] = Config
    for name in path:
        annotation = model.model_fields[name].annotation
        assert isinstance(annotation, type) and issubclass(annotation, BaseModel)
        model = annotation
    return model


def _stored_salt(home: Home) -> str:
    """The installation's member salt: generated once, readable by the owner only, never printed."""
    path = home.salt_file
    if not path.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_text(encoding="utf-8").strip()
