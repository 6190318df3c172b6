"""dbt's event messages built by their protobuf classes, not by `ParseDict`.

dbt builds a protobuf message for every event it fires, about 25 per node of a build, also
when nothing is logged (`--quiet`, `--log-level-file none`), and builds each one from a dict
with `google.protobuf.json_format.ParseDict`, a converter written in Python: a fifth of the
dbt thread's time in a small build here (dbt-core issue #9030 found 5-20 %). The generated
message classes take the same keyword arguments and build the message in C (upb).

`install` makes dbt build its events that way. An event the class does not take as given
(a timestamp as text: NodeFinished, EndRunResult, CommandCompleted) goes through dbt's own
code, so every message is the one `ParseDict` builds (tests/test_dbt_project.py compares
them over a real build). Measured: DECISIONLOG.md, "dbt's events without ParseDict".

`install` also keeps dbt's loggers from formatting a line their Python logger then drops: the
console logger at `--quiet` keeps errors only, yet dbt formats every event for it (and scans
the environment for secrets to scrub from it), about 4 % of a small build's CPU.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from dbt_common.events import base_types, event_manager, logger
from dbt_common.invocation import get_invocation_id
from google.protobuf.message import Message

_DBT_EVENT_INIT = base_types.BaseEvent.__init__
_DBT_EVENT_MESSAGE = base_types.msg_from_base_event
_DBT_WRITE_LINE = logger._Logger.write_line


def install() -> None:
    """Idempotent; for the rest of the process."""
    base_types.BaseEvent.__init__ = _event_init  # type: ignore[method-assign]
    event_manager.msg_from_base_event = _event_message  # what fire_event calls
    logger._Logger.write_line = _write_line  # type: ignore[method-assign]


def built(message_class: type[Message], fields: dict[str, Any]) -> Message | None:
    """The message, or None when the class does not take these values as they are."""
    try:
        return message_class(**fields)
    except Exception:  # any refusal: dbt's own ParseDict path decides
        return None


def _event_init(event: base_types.BaseEvent, *args: Any, **kwargs: Any) -> None:
    name = type(event).__name__
    if args or name == "Formatting":  # positional messages: dbt's own handling
        _DBT_EVENT_INIT(event, *args, **kwargs)
        return
    for key in ("base_msg", "msg"):  # as dbt does
        if key in kwargs:
            kwargs[key] = str(kwargs[key])
    message = built(getattr(event.PROTO_TYPES_MODULE, name), kwargs)
    if message is None:
        _DBT_EVENT_INIT(event, **kwargs)
    else:
        event.pb_msg = message


def _event_message(
    event: base_types.BaseEvent, level: base_types.EventLevel | None = None
) -> Message:
    """`msg_from_base_event`: the event wrapped with its level, time, process and thread."""
    name = type(event).__name__
    info = {
        "level": (level or event.level_tag()).value,
        "msg": event.message(),
        "invocation_id": get_invocation_id(),
        "extra": base_types.get_global_metadata_vars(),
        # dbt writes the time as text with microseconds and parses it back: the same value.
        "ts": datetime.now(UTC).replace(tzinfo=None),
        "pid": base_types.get_pid(),
        "thread": base_types.get_thread_name(),
        "code": event.code(),
        "name": name,
    }
    message = built(getattr(event.PROTO_TYPES_MODULE, f"{name}Msg"), {"info": info})
    if message is None:
        return _DBT_EVENT_MESSAGE(event, level)
    message.data.CopyFrom(event.pb_msg)
    return message


def _write_line(dbt_logger: logger._Logger, msg: base_types.EventMsg) -> None:
    """`_Logger.write_line`, asking the logger's Python logger first whether it would write
    the line at the level dbt hands it over (the event's; error for a print event). dbt's
    own formats the line before that, and also when there is no Python logger at all."""
    python_logger = dbt_logger._python_logger
    level = "error" if logger._is_print_event(msg) else msg.info.level
    if python_logger is None or not python_logger.isEnabledFor(
        logger._log_level_map[base_types.EventLevel(level)]
    ):
        return
    _DBT_WRITE_LINE(dbt_logger, msg)
