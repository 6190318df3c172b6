"""A home with workspaces for tests and the bench: three brands that publish, one that a gate
stops.

- `kiosk`: the demo's inbox exports only (Hootsuite and Sprout CSV), UTC, brand accounts
  unknown (the inbox files say the direction themselves);
- `nordlicht`: `learnloop demo`'s configuration and all of its exports (sample_data/);
- `velo`: the demo's YouTube exports only, reported in New York time and in German;
- `broken`: one YouTube export whose second comment has likeCount -5, which the raw gate
  stops (tests/test_end_to_end.py uses the same defect).

Each has its own learnloop.toml and so its own generated member salt.
tests/test_celery_executor.py runs `nordlicht`, `velo` and `broken` (the fewest that prove
what it checks); bench/workspaces_celery.py the three that publish.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from learnloop.cli import DEMO_CONFIG
from learnloop.paths import SAMPLE_DATA_DIR, Home

FIXTURES = Path(__file__).parent / "fixtures"
PUBLISHING = ("kiosk", "nordlicht", "velo")
STOPPED = "broken"
NAMES = (STOPPED, *PUBLISHING)  # sorted: the map index of each in the DAG run

CONFIGS = {
    "kiosk": 'timezone = "UTC"\n',
    "nordlicht": DEMO_CONFIG,
    "velo": (
        'timezone = "America/New_York"\n\n[brand]\nyoutube = ["UCx9LearnLoopDemoChan01A"]\n\n'
        '[report]\nlanguage = "de"\n'
    ),
    "broken": DEMO_CONFIG,
}
EXPORTS = {"kiosk": ("inbox",), "nordlicht": ("inbox", "learning", "youtube"), "velo": ("youtube",)}


def agency_home(root: Path, names: tuple[str, ...] = NAMES) -> Home:
    """A new home at `root` with the workspaces `names` (of NAMES), their exports landed."""
    home = Home(root)
    for name in names:
        workspace = home.workspace(name)
        workspace.landing.mkdir(parents=True)
        workspace.config_file.write_text(CONFIGS[name], encoding="utf-8")
        for folder in EXPORTS.get(name, ()):
            shutil.copytree(SAMPLE_DATA_DIR / folder, workspace.landing / folder)
    if STOPPED in names:
        export = FIXTURES / "end_to_end" / "commentThreads_winter_video.json"
        bad = json.loads(export.read_text(encoding="utf-8"))
        bad["items"][1]["snippet"]["topLevelComment"]["snippet"]["likeCount"] = -5
        target = home.workspace(STOPPED).landing / "youtube" / "commentThreads_bad.json"
        target.parent.mkdir(parents=True)
        target.write_text(json.dumps(bad), encoding="utf-8")
    return home
