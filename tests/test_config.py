"""learnloop.toml: defaults, environment overrides, one-line errors naming the key, the salt.

docs/contracts.md, "Configuration": every value has a default, can be overridden by
LEARNLOOP_<SECTION>_<KEY>, and an invalid value stops the run with a message naming the key.
"""

from __future__ import annotations

import re
import stat
import tomllib
from pathlib import Path

import pytest

from learnloop.config import load_config
from learnloop.errors import ConfigError
from learnloop.paths import Home


@pytest.fixture
def fresh(tmp_path: Path) -> Home:
    """A home folder that does not exist yet: no folders, no learnloop.toml, no salt."""
    return Home(tmp_path / "fresh-home")


def test_missing_config_file_is_created_with_the_documented_keys(fresh: Home):
    config = load_config(fresh, environ={})

    text = fresh.config_file.read_text(encoding="utf-8")
    written = tomllib.loads(text)
    assert written["timezone"] == "UTC"
    assert written["brand"] == {}
    assert written["timezones"] == {}
    assert written["privacy"] == {"publish_handles": False, "publish_private_text": False}
    assert written["publish"] == {"keep_snapshots": 7, "storage_version": "v1.1.0"}
    assert written["gates"] == {
        "max_volume_drop": 0.5,
        "future_tolerance_minutes": 60,
        "earliest_year": 2000,
    }
    assert written["inbox"] == {"columns": {}}
    # Documented keys without a default value are shown as commented examples.
    for example in ("# salt = ", "# youtube = ", "# inbox_csv = ", "# message_id = "):
        assert example in text
    assert "LEARNLOOP_<SECTION>_<KEY>" in text

    assert config.timezone == "UTC"
    assert dict(config.brand) == {}
    assert dict(config.timezones) == {}
    assert dict(config.inbox_columns) == {}
    assert config.privacy.publish_handles is False
    assert config.privacy.publish_private_text is False
    assert config.publish.keep_snapshots == 7
    assert config.publish.storage_version == "v1.1.0"
    assert config.gates.max_volume_drop == 0.5
    assert config.gates.future_tolerance_minutes == 60
    assert config.gates.earliest_year == 2000
    for folder in (fresh.landing, fresh.archive, fresh.quarantine, fresh.build, fresh.snapshots):
        assert folder.is_dir()


def test_existing_config_file_is_read_and_left_as_it_is(home: Home):
    before = home.config_file.read_bytes()
    config = load_config(home, environ={})
    assert home.config_file.read_bytes() == before
    assert config.timezone == "Europe/Berlin"
    assert dict(config.brand) == {"youtube": ("UCnordlichtBikesDemo0001",)}
    assert config.timezone_for("inbox_csv") == "Europe/Berlin"


def test_environment_overrides_the_file(home: Home):
    config = load_config(
        home,
        environ={
            "LEARNLOOP_PUBLISH_KEEP_SNAPSHOTS": "3",
            "LEARNLOOP_TIMEZONE": "America/New_York",
            "LEARNLOOP_BRAND_YOUTUBE": "UC1,UC2",
        },
    )
    assert config.publish.keep_snapshots == 3
    assert config.timezone == "America/New_York"
    assert config.brand["youtube"] == ("UC1", "UC2")
    # Untouched values keep their defaults.
    assert config.publish.storage_version == "v1.1.0"
    assert config.gates.max_volume_drop == 0.5


def test_environment_overrides_every_section(home: Home):
    config = load_config(
        home,
        environ={
            "LEARNLOOP_PRIVACY_PUBLISH_HANDLES": "yes",
            "LEARNLOOP_PRIVACY_PUBLISH_PRIVATE_TEXT": "false",
            "LEARNLOOP_PUBLISH_STORAGE_VERSION": "v1.2.0",
            "LEARNLOOP_GATES_MAX_VOLUME_DROP": "0.25",
            "LEARNLOOP_GATES_FUTURE_TOLERANCE_MINUTES": "0",
            "LEARNLOOP_BRAND_INSTAGRAM": "nordlichtbikes",
            "LEARNLOOP_TIMEZONES_INBOX_CSV": "America/New_York",
        },
    )
    assert config.privacy.publish_handles is True
    assert config.privacy.publish_private_text is False
    assert config.publish.storage_version == "v1.2.0"
    assert config.gates.max_volume_drop == 0.25
    assert config.gates.future_tolerance_minutes == 0
    # An environment variable for one platform adds to the file's other platforms.
    assert dict(config.brand) == {
        "youtube": ("UCnordlichtBikesDemo0001",),
        "instagram": ("nordlichtbikes",),
    }
    assert config.timezone_for("inbox_csv") == "America/New_York"
    assert config.timezone_for("youtube_api") == "Europe/Berlin"


def test_explicit_environ_ignores_the_process_environment(
    home: Home, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("LEARNLOOP_TIMEZONE", "Asia/Tokyo")
    monkeypatch.setenv("LEARNLOOP_PUBLISH_KEEP_SNAPSHOTS", "0")
    config = load_config(home, environ={})
    assert config.timezone == "Europe/Berlin"
    assert config.publish.keep_snapshots == 7


INVALID_FILES = {
    "bad timezone": ('timezone = "Mars/Base"\n', "timezone"),
    "keep_snapshots 0": ("[publish]\nkeep_snapshots = 0\n", "publish.keep_snapshots"),
    "storage_version 1.1": ('[publish]\nstorage_version = "1.1"\n', "publish.storage_version"),
    "unknown section": ("[reporting]\nweekday = 1\n", "reporting"),
    "unknown key in publish": ("[publish]\nkeep = 3\n", "publish.keep"),
    "unknown platform": ('[brand]\ntiktok = ["nordlicht"]\n', "brand.tiktok"),
    "bad bool": ('[privacy]\npublish_handles = "maybe"\n', "privacy.publish_handles"),
    "volume drop 1.5": ("[gates]\nmax_volume_drop = 1.5\n", "gates.max_volume_drop"),
    "unknown inbox field": ('[inbox.columns]\nticket_no = "Ticket #"\n', "inbox.columns.ticket_no"),
    "bad zone for a format": ('[timezones]\ninbox_csv = "Nowhere/X"\n', "timezones.inbox_csv"),
    "brand not a list": ("[brand]\nyoutube = [1]\n", "brand.youtube"),
    "empty header name": ('[inbox.columns]\ntext = ""\n', "inbox.columns.text"),
    "unknown inbox key": ("[inbox]\ndelimiter = 1\n", "inbox.delimiter"),
    "section not a table": ("publish = 3\n", "publish"),
    "keep_snapshots float": ("[publish]\nkeep_snapshots = 3.0\n", "publish.keep_snapshots"),
    "negative tolerance": (
        "[gates]\nfuture_tolerance_minutes = -1\n",
        "gates.future_tolerance_minutes",
    ),
    "earliest year before 1970": ("[gates]\nearliest_year = 1900\n", "gates.earliest_year"),
}


@pytest.mark.parametrize(("toml", "key"), INVALID_FILES.values(), ids=INVALID_FILES.keys())
def test_invalid_value_in_the_file_names_the_key(home: Home, toml: str, key: str):
    home.config_file.write_text(toml, encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_config(home, environ={})
    message = str(raised.value)
    assert re.match(rf"\[?{re.escape(key)}\]?:", message), message
    assert "\n" not in message


INVALID_ENVIRONMENT = {
    "keep_snapshots 0": (
        {"LEARNLOOP_PUBLISH_KEEP_SNAPSHOTS": "0"},
        "publish.keep_snapshots (from LEARNLOOP_PUBLISH_KEEP_SNAPSHOTS)",
    ),
    "keep_snapshots text": (
        {"LEARNLOOP_PUBLISH_KEEP_SNAPSHOTS": "three"},
        "publish.keep_snapshots (from LEARNLOOP_PUBLISH_KEEP_SNAPSHOTS)",
    ),
    "timezone": ({"LEARNLOOP_TIMEZONE": "Mars/Base"}, "timezone (from LEARNLOOP_TIMEZONE)"),
    "bool": (
        {"LEARNLOOP_PRIVACY_PUBLISH_HANDLES": "maybe"},
        "privacy.publish_handles (from LEARNLOOP_PRIVACY_PUBLISH_HANDLES)",
    ),
    "share": (
        {"LEARNLOOP_GATES_MAX_VOLUME_DROP": "1.5"},
        "gates.max_volume_drop (from LEARNLOOP_GATES_MAX_VOLUME_DROP)",
    ),
    "storage_version": (
        {"LEARNLOOP_PUBLISH_STORAGE_VERSION": "1.1"},
        "publish.storage_version (from LEARNLOOP_PUBLISH_STORAGE_VERSION)",
    ),
    "platform": ({"LEARNLOOP_BRAND_TIKTOK": "nordlicht"}, "brand.tiktok"),
}


@pytest.mark.parametrize(
    ("environ", "key"), INVALID_ENVIRONMENT.values(), ids=INVALID_ENVIRONMENT.keys()
)
def test_invalid_value_in_the_environment_names_the_key(
    home: Home, environ: dict[str, str], key: str
):
    with pytest.raises(ConfigError) as raised:
        load_config(home, environ=environ)
    assert str(raised.value).startswith(f"{key}:"), str(raised.value)


def test_invalid_toml_names_the_file(home: Home):
    home.config_file.write_text('timezone = "Europe/Berlin\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=re.escape(f"{home.config_file}: not valid TOML")):
        load_config(home, environ={})


def test_inbox_columns_that_is_not_a_table_names_the_key(home: Home):
    home.config_file.write_text('[inbox]\ncolumns = "Body"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"^\[?inbox\.columns"):
        load_config(home, environ={})


def test_environment_overrides_inbox_columns(home: Home):
    config = load_config(home, environ={"LEARNLOOP_INBOX_COLUMNS_TEXT": "Body"})
    assert dict(config.inbox_columns) == {"text": "Body"}


def test_salt_is_generated_private_stable_and_never_shown(fresh: Home):
    first = load_config(fresh, environ={})
    salt = first.privacy.salt

    assert stat.S_IMODE(fresh.salt_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(fresh.salt_file.parent.stat().st_mode) == 0o700
    assert fresh.salt_file.read_text(encoding="utf-8").strip() == salt
    assert re.fullmatch(r"[0-9a-f]{64}", salt)
    assert salt not in fresh.config_file.read_text(encoding="utf-8")

    second = load_config(fresh, environ={})
    assert second.privacy.salt == salt
    assert stat.S_IMODE(fresh.salt_file.stat().st_mode) == 0o600

    assert salt not in repr(first)
    assert salt not in str(first)
    assert salt not in f"{first!r} {second}"


def test_salt_from_the_environment_is_used_and_no_file_is_written(fresh: Home):
    salt = "an-installation-secret-0123456789"
    config = load_config(fresh, environ={"LEARNLOOP_PRIVACY_SALT": salt})
    assert config.privacy.salt == salt
    assert not fresh.salt_file.exists()
    assert salt not in repr(config)


def test_a_rejected_salt_is_not_echoed(home: Home):
    with pytest.raises(ConfigError) as raised:
        load_config(home, environ={"LEARNLOOP_PRIVACY_SALT": "tooshort"})
    assert str(raised.value).startswith("privacy.salt")
    assert "tooshort" not in str(raised.value)


def test_privacy_section_repr_does_not_show_the_salt(home: Home):
    config = load_config(home, environ={})
    assert config.privacy.salt not in repr(config.privacy)
