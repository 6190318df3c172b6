"""The report as one self-contained HTML file: styles inline, charts as inline SVG, no network.

Jinja2 (already pinned through Airflow) with autoescaping on: every value from the warehouse,
a community member's quote above all, is escaped, and loses its bidi controls. Only the SVG charts are inserted as markup;
charts.py builds them from numbers and escapes their text itself.
"""

from __future__ import annotations

import jinja2
from markupsafe import Markup

from learnloop.report.content import SECTIONS, Report
from learnloop.report.texts import Texts
from learnloop.safe_output import strip_bidi

# A tiny inline script that only records how the page rendered (for the headless-browser
# test and anyone debugging): how many charts drew all their bars, and script errors. The
# report itself needs no script.
RENDER_CHECK_SCRIPT = """
window.addEventListener("error", function () {
  var root = document.documentElement;
  root.dataset.errors = String(Number(root.dataset.errors || "0") + 1);
});
document.addEventListener("DOMContentLoaded", function () {
  var charts = document.querySelectorAll("svg.chart"), drawn = 0;
  charts.forEach(function (chart) {
    var marks = Array.prototype.filter.call(chart.querySelectorAll(".mark"), function (mark) {
      var box = mark.getBoundingClientRect();
      return box.width > 0 && box.height > 0;
    });
    var frame = chart.getBoundingClientRect();
    if (frame.width > 0 && marks.length === Number(chart.dataset.points)) { drawn += 1; }
  });
  document.documentElement.dataset.charts = String(charts.length);
  document.documentElement.dataset.chartsDrawn = String(drawn);
});
"""

_STYLE = """
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2933;
       max-width: 1080px; margin: 0 auto; padding: 24px; background: #fff; }
h1 { font-size: 26px; margin: 0; } h2 { font-size: 20px; margin: 32px 0 12px;
     border-bottom: 2px solid #e4e7eb; padding-bottom: 4px; } h3 { font-size: 16px; margin: 18px 0 8px; }
.sub { color: #52606d; margin: 4px 0; }
.summary { font-size: 16px; margin: 12px 0 4px; max-width: 760px; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; }
.card { border: 1px solid #d9e2ec; border-radius: 8px; padding: 10px 12px; width: 240px; }
.card .label { color: #52606d; font-size: 13px; } .card .value { font-size: 24px; font-weight: 600; }
.card .change { font-size: 13px; color: #334e68; }
svg.chart .mark { fill: #9fb3c8; } svg.chart .mark.current { fill: #243b53; }
svg.chart .axis { stroke: #bcccdc; } svg.chart .tick { font-size: 9px; fill: #829ab1; }
.missing { color: #8d2b0b; background: #fff3c4; padding: 6px 10px; border-radius: 6px; }
blockquote { margin: 8px 0; padding: 6px 12px; border-left: 4px solid #9fb3c8; background: #f5f7fa; }
blockquote .meta { color: #627d98; font-size: 12px; }
table { border-collapse: collapse; margin: 6px 0; } td, th { padding: 4px 10px; text-align: left;
       border-bottom: 1px solid #e4e7eb; } th { color: #52606d; font-weight: 600; }
.context { border: 1px dashed #bcccdc; border-radius: 8px; padding: 8px 12px; margin-top: 32px;
           background: #fafbfc; } .context h2 { font-size: 14px; border: 0; margin: 0 0 6px; }
.context .card { width: 240px; } .context .value { font-size: 18px; }
footer { margin-top: 32px; color: #829ab1; font-size: 12px; }
/* Phones: the page never scrolls sideways; a wide table scrolls inside its own box. */
table { display: block; max-width: 100%; overflow-x: auto; }
td, th { overflow-wrap: break-word; }
.card { max-width: 100%; box-sizing: border-box; } svg.chart { max-width: 100%; height: auto; }
@media (max-width: 480px) { body { padding: 12px; } .card, .context .card { width: 100%; } }
"""

_TEMPLATE = """<!DOCTYPE html>
<html lang="{{ r.language }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>LearnLoop · {{ r.week_label }}</title>
<style>{{ style }}</style>
<script>{{ render_check }}</script>
</head>
<body>
{%- macro cards(items) -%}
<div class="cards">
{%- for h in items %}
<div class="card" data-metric="{{ h.metric }}">
<div class="label">{{ h.label }}</div>
<div class="value">{{ h.value }}</div>
<div class="change">{{ h.change }}{% if h.compared %} <span class="sub">{{ t("vs_prev") }}</span>{% endif %}</div>
{{ h.chart | safe }}
</div>
{%- endfor %}
</div>
{%- endmacro %}
{%- macro missing(note) -%}
{% if note %}<p class="missing">{{ note }}</p>{% endif %}
{%- endmacro %}
<header>
<h1>{{ r.title }}</h1>
<p class="sub"><strong>{{ r.week_label }}</strong> · {{ r.period }}</p>
<p class="summary" id="summary">{{ r.summary }}</p>
<p class="sub">{{ t("intro") }}</p>
{%- if r.freshness %}<p class="sub">{{ r.freshness }}</p>{% endif %}
</header>

<section id="learned">
<h2>{{ t("learned") }}</h2>
{{ cards(r.headlines["learned"]) }}
{%- if r.missing["learned"] %}<p class="missing">{{ r.missing["learned"] }}</p>
{%- else %}
<h3>{{ t("signals_by_category") }}</h3>
<table><tbody>
{%- for category, count in r.signal_counts %}<tr><th>{{ category }}</th><td>{{ count }}</td></tr>{% endfor %}
</tbody></table>
<h3>{{ t("quotes") }}</h3>
{{- missing(r.not_published.get("quotes")) }}
{%- for q in r.quotes %}
<blockquote><div>{{ q.text }}</div><div class="meta">{{ q.category }} · {{ q.platform }} · {{ q.member }} · {{ q.when }}</div></blockquote>
{%- else %}{% if not r.not_published.get("quotes") %}<p>{{ t("no_signals") }}</p>{% endif %}{% endfor %}
{%- endif %}
<h3>{{ t("topics") }}</h3>
{%- if r.topics is none %}<p class="missing">{{ t("not_yet", what=t("what.topics")) }}</p>
{%- elif not r.topics %}<p>{{ t("no_topics") }}</p>
{%- else %}
<p class="sub">{{ t("topics_note") }}</p>
<table id="topics"><thead><tr><th>{{ t("topic") }}</th><th>{{ t("this_week") }}</th><th>{{ t("previous_8_weeks") }}</th><th>{{ t("example") }}</th></tr></thead><tbody>
{%- for topic in r.topics %}<tr><td>{{ topic.term }}</td><td>{{ topic.now }}</td><td>{{ topic.before }}</td><td>{% if topic.url %}<a href="{{ topic.url }}">{{ topic.platform }}</a>{% else %}{{ topic.platform }}{% endif %}</td></tr>{% endfor %}
</tbody></table>
{%- endif %}
</section>

<section id="did">
<h2>{{ t("did") }}</h2>
{{- missing(r.missing["did"]) }}
{{ cards(r.headlines["did"]) }}
{%- if r.open_loops is not none %}
<h3>{{ t("open_loops") }}</h3>
{%- if r.open_loops %}<ul>
{%- for item in r.open_loops %}<li>{{ item.id }}: {{ item.title }} <span class="sub">({{ t("shipped") }} {{ item.shipped }})</span>
{%- if item.threads %}<div class="sub">{{ t("tell_them") }}
{%- for th in item.threads %} {% if th.url %}<a href="{{ th.url }}">{{ th.thread }}</a>{% else %}{{ th.thread }}{% endif %}{% endfor %}</div>{% endif %}</li>
{%- endfor %}
</ul>{% else %}<p>{{ t("no_open_loops") }}</p>{% endif %}
{%- elif r.not_published.get("open_loops") %}<p class="missing">{{ r.not_published.get("open_loops") }}</p>
{%- endif %}
{%- if r.not_published.get("waiting") %}<p class="missing">{{ r.not_published.get("waiting") }}</p>
{%- else %}
<h3>{{ t("unanswered", count=r.unanswered_total) }}</h3>
{%- if r.unanswered %}
<table id="unanswered"><thead><tr><th>{{ t("platform") }}</th><th>{{ t("thread") }}</th><th>{{ t("started") }}</th><th>{{ t("messages") }}</th></tr></thead><tbody>
{%- for u in r.unanswered %}
<tr><td>{{ u.platform }}</td><td>{% if u.url %}<a href="{{ u.url }}">{{ u.thread }}</a>{% else %}{{ u.thread }}{% endif %}
{%- if u.text %}<div class="sub">{{ u.text }}</div>{% endif %}</td><td>{{ u.started }}</td><td>{{ u.turns }}</td></tr>
{%- endfor %}
</tbody></table>
{%- if r.unanswered_total > r.unanswered | length %}<p class="sub">{{ t("more_unanswered", count=r.unanswered_total - r.unanswered | length) }}</p>{% endif %}
{%- else %}<p>{{ t("no_unanswered") }}</p>{% endif %}
{%- endif %}
</section>

<section id="listened">
<h2>{{ t("listened") }}</h2>
{{ cards(r.headlines["listened"]) }}
{%- if r.by_platform %}
<h3>{{ t("by_platform") }}</h3>
<table id="by-platform"><thead><tr><th>{{ t("platform") }}</th>
{%- for metric in listened_metrics %}<th>{{ t("metric." ~ metric) }}</th>{% endfor %}</tr></thead><tbody>
{%- for row in r.by_platform %}<tr>{% for cell in row %}<td>{{ cell }}</td>{% endfor %}</tr>{% endfor %}
</tbody></table>
{%- endif %}
</section>

<section id="reach">
<h2>{{ t("reach") }}</h2>
{{- missing(r.missing["reach"]) }}
{{ cards(r.headlines["reach"]) }}
</section>

<aside class="context" id="context">
<h2>{{ t("context") }}</h2>
<p class="sub">{{ t("context_note") }}</p>
{{- missing(r.missing["context"]) }}
{{ cards(r.headlines["context"]) }}
</aside>

<footer>{{ t("footer", file=r.source_file) }}</footer>
</body>
</html>
"""


def _without_bidi_controls(value: object) -> object:
    """Every value the template prints loses its bidi controls before it is escaped: a quote
    must read in the order it was written. Markup (the charts) is ours and has none."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return strip_bidi(value)
    return value


_ENVIRONMENT = jinja2.Environment(
    autoescape=True, undefined=jinja2.StrictUndefined, finalize=_without_bidi_controls
)


def render(report: Report) -> str:
    template = _ENVIRONMENT.from_string(_TEMPLATE)
    return template.render(
        r=report,
        t=Texts(report.language),
        style=Markup(_STYLE),
        render_check=Markup(RENDER_CHECK_SCRIPT),
        listened_metrics=SECTIONS["listened"],
    )
