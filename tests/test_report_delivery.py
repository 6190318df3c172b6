"""Optional delivery: the last complete week's report mailed once through Airflow's SMTP
notifier, to a real SMTP server on localhost (tests/smtp_sink.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from learnloop.config import load_config
from learnloop.errors import ConfigError
from learnloop.paths import Home
from learnloop.report.delivery import (
    MARKER,
    DeliveryFailed,
    deliver_last_week,
    last_complete_week,
)
from tests.conftest import FIXTURE_CONFIG
from tests.report_pages import publish_contract_warehouse
from tests.smtp_sink import smtp_sink

DELIVERY_CONFIG = FIXTURE_CONFIG + (
    "\n[delivery]\n"
    'email_to = ["team@nordlicht.example", "lead@nordlicht.example"]\n'
    'email_from = "learnloop@nordlicht.example"\n'
    'smtp_conn_id = "learnloop_test_smtp"\n'
)
# Tuesday 2026-03-10, 10:00 in Berlin: the last complete week is 2026-03-02 (W10).
TUESDAY = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


@pytest.fixture
def published_home(tmp_path) -> Home:
    home = Home(tmp_path / "home")
    home.ensure()
    home.config_file.write_text(DELIVERY_CONFIG, encoding="utf-8")
    publish_contract_warehouse(home)
    return home


def test_the_last_complete_week_is_mailed_once(published_home, monkeypatch):
    config = load_config(published_home, environ={})
    with smtp_sink() as (port, received):
        monkeypatch.setenv(
            "AIRFLOW_CONN_LEARNLOOP_TEST_SMTP",
            f"smtp://127.0.0.1:{port}?disable_ssl=true&disable_tls=true",
        )
        page = deliver_last_week(config, now=TUESDAY)
        again = deliver_last_week(config, now=TUESDAY + timedelta(hours=5))
    assert page == published_home.reports / "2026-W10" / "index.html"
    assert again is None
    assert len(received) == 1
    mail = received[0]
    assert mail["Subject"] == "LearnLoop: What we learned from our community (Week 2026-W10)"
    assert mail["From"] == "learnloop@nordlicht.example"
    assert mail["To"] == "team@nordlicht.example, lead@nordlicht.example"
    parts = [part for part in mail.walk() if not part.is_multipart()]
    assert parts[0].get_content_type() == "text/html"
    assert parts[0].get_payload(decode=True).decode("utf-8") == page.read_text(encoding="utf-8")
    assert [part.get_filename() for part in parts[1:]] == [
        "kpi_weekly.csv",
        "quotes.csv",
        "unanswered.csv",
    ]
    assert (page.parent / MARKER).exists()


def test_delivery_is_off_by_default(published_home):
    published_home.config_file.write_text(FIXTURE_CONFIG, encoding="utf-8")
    config = load_config(published_home, environ={})
    assert config.delivery.email_to == ()
    with smtp_sink() as (_, received):
        assert deliver_last_week(config, now=TUESDAY) is None
    assert received == []
    assert not published_home.reports.exists() or list(published_home.reports.iterdir()) == []


def test_an_unreachable_mail_server_fails_in_one_line_and_retries_later(
    published_home, monkeypatch
):
    with smtp_sink() as (port, _):
        pass  # the port is free again: nothing listens there now
    monkeypatch.setenv(
        "AIRFLOW_CONN_LEARNLOOP_TEST_SMTP",
        f"smtp://127.0.0.1:{port}?disable_ssl=true&disable_tls=true&retry_limit=0&timeout=5",
    )
    with pytest.raises(DeliveryFailed) as raised:
        deliver_last_week(load_config(published_home, environ={}), now=TUESDAY)
    message = str(raised.value)
    assert message.startswith(
        "mailing the report for 2026-W10 through connection 'learnloop_test_smtp' failed: "
    )
    assert "\n" not in message
    assert not (published_home.reports / "2026-W10" / MARKER).exists()  # the next run retries


def test_a_week_ends_on_monday_midnight_in_the_reporting_zone():
    # 2026-03-08 22:30 UTC is Sunday 23:30 in Berlin; an hour later it is Monday 00:30.
    sunday_night = datetime(2026, 3, 8, 22, 30, tzinfo=UTC)
    assert last_complete_week(sunday_night, "Europe/Berlin").isoformat() == "2026-02-23"
    assert last_complete_week(sunday_night + timedelta(hours=1), "Europe/Berlin").isoformat() == (
        "2026-03-02"
    )


def test_delivery_settings_are_validated(home):
    home.config_file.write_text(
        FIXTURE_CONFIG + '\n[delivery]\nemail_to = ["not-an-address"]\n', encoding="utf-8"
    )
    with pytest.raises(ConfigError) as raised:
        load_config(home, environ={})
    assert str(raised.value) == (
        "delivery.email_to: expected a list of e-mail addresses, got ['not-an-address']"
    )
    home.config_file.write_text(FIXTURE_CONFIG, encoding="utf-8")
    config = load_config(
        home, environ={"LEARNLOOP_DELIVERY_EMAIL_TO": "a@example.org,b@example.org"}
    )
    assert config.delivery.email_to == ("a@example.org", "b@example.org")
