"""Optional delivery: the last complete week's report by mail, once, through Airflow's SMTP
notifier (apache-airflow-providers-smtp, pinned). Off unless `[delivery] email_to` is set.

The weekly report DAG runs after every publish, so "send on Monday" means: the first run
after a week has ended mails that week's report, and a marker file in its folder keeps
later runs from mailing it again. The notifier is called directly (`notify`), not as an
Airflow callback: callbacks render their fields as Jinja templates, and a community quote
containing `{{ ... }}` must stay text.
"""

from __future__ import annotations

import json
import logging
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from learnloop.config import Config
from learnloop.errors import LearnLoopError
from learnloop.report.texts import Texts
from learnloop.report.weeks import iso_week_label
from learnloop.report.writer import NoSuchWeek, write_report

log = logging.getLogger(__name__)

MARKER = ".delivered.json"


class DeliveryFailed(LearnLoopError):
    """The mail server refused or could not be reached; the report files are written."""


def last_complete_week(now: datetime, timezone: str) -> date:
    """The Monday of the week before the one `now` falls in, in the reporting zone."""
    today = now.astimezone(ZoneInfo(timezone)).date()
    return today - timedelta(days=today.weekday(), weeks=1)


def deliver_last_week(config: Config, now: datetime | None = None) -> Path | None:
    """Mail the last complete week's report if delivery is on and it was not mailed yet;
    returns the delivered index.html, or None when nothing was sent."""
    delivery = config.delivery
    if not delivery.email_to:
        return None
    week = last_complete_week(now or datetime.now(ZoneInfo("UTC")), config.timezone)
    folder = config.home.reports / iso_week_label(week)
    if (folder / MARKER).exists():
        return None
    try:
        page = write_report(config, week)
    except NoSuchWeek:
        log.info("no published data for %s yet: nothing to mail", iso_week_label(week))
        return None
    if page is None:
        return None
    _send(config, page, week)
    (folder / MARKER).write_text(
        json.dumps(
            {"to": list(delivery.email_to), "at": datetime.now(ZoneInfo("UTC")).isoformat()}
        ),
        encoding="utf-8",
    )
    log.info(
        "mailed the report for %s to %d recipients", iso_week_label(week), len(delivery.email_to)
    )
    return page


def _send(config: Config, page: Path, week: date) -> None:
    from airflow.providers.smtp.notifications.smtp import SmtpNotifier  # heavy: only when on

    texts = Texts(config.report.language)
    notifier = SmtpNotifier(
        smtp_conn_id=config.delivery.smtp_conn_id,
        from_email=config.delivery.email_from or None,
        to=list(config.delivery.email_to),
        subject=f"LearnLoop: {texts('title')} ({texts('week', label=iso_week_label(week))})",
        html_content=page.read_text(encoding="utf-8"),
        files=[str(path) for path in sorted(page.parent.glob("*.csv"))],
    )
    try:
        notifier.notify({})
    except Exception as exc:  # SMTP, connection and configuration errors alike
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise DeliveryFailed(
            f"mailing the report for {iso_week_label(week)} through connection "
            f"{config.delivery.smtp_conn_id!r} failed: {reason}"
        ) from None
