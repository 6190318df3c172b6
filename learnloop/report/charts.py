"""12-week trend charts as inline SVG: drawn by any browser or mail client, no script, no network.

Each chart is a row of bars, one slot per week (oldest left); the report's own week is the
dark bar. A week without a value (NULL: nothing to divide by) leaves its slot empty; a zero
is a thin stub so that it reads as zero, not as missing.
"""

from __future__ import annotations

from datetime import date, timedelta
from html import escape

WIDTH, HEIGHT, GAP = 240, 56, 3
BASELINE = HEIGHT - 12


def trend_svg(
    points: list[tuple[date, float | None]], week: date, weeks: int, label: str, show: object
) -> str:
    """An SVG bar chart of `points` over the `weeks` weeks ending with `week`.

    `show(value)` formats a value for the bar's tooltip; `label` names the chart for screen
    readers. `data-points` says how many bars were drawn, so a test can check they rendered.
    """
    values = dict(points)
    slots = [week - timedelta(weeks=weeks - 1 - i) for i in range(weeks)]
    known = [v for v in values.values() if v is not None]
    top = max([abs(v) for v in known] + [0.0]) or 1.0
    slot_width = WIDTH / weeks
    bars = []
    for i, slot in enumerate(slots):
        value = values.get(slot)
        if value is None:
            continue
        height = max(abs(value) / top * (BASELINE - 4), 1.0)
        css = "mark current" if slot == week else "mark"
        x = i * slot_width + GAP / 2
        tooltip = f"{slot.isoformat()}: {show(value)}"  # type: ignore[operator]
        bars.append(
            f'<rect class="{css}" x="{x:.1f}" y="{BASELINE - height:.1f}" '
            f'width="{slot_width - GAP:.1f}" height="{height:.1f}">'
            f"<title>{escape(tooltip)}</title></rect>"
        )
    first, last = slots[0].strftime("%d.%m."), slots[-1].strftime("%d.%m.")
    return (
        f'<svg class="chart" data-points="{len(bars)}" role="img" aria-label="{escape(label)}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}"'
        ">"
        f'<line class="axis" x1="0" y1="{BASELINE}" x2="{WIDTH}" y2="{BASELINE}"/>'
        + "".join(bars)
        + f'<text class="tick" x="0" y="{HEIGHT - 1}">{first}</text>'
        f'<text class="tick" x="{WIDTH}" y="{HEIGHT - 1}" text-anchor="end">{last}</text>'
        "</svg>"
    )
