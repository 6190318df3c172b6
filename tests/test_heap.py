"""learnloop/heap.py: what a run imports for good is imported without the garbage collector
and then frozen, and the collector is left as it was."""

from __future__ import annotations

import subprocess
import sys

# In a process of its own: freezing is for the rest of a process, and the test's own process
# should not be changed by it.
PROBE = """
import gc
from learnloop.heap import loading_libraries

frozen = gc.get_freeze_count()
with loading_libraries():
    collecting_inside = gc.isenabled()
    import xml.dom.minidom  # not imported yet: a library loaded
    loaded = [[number] for number in range(1000)]  # 1,001 objects the collector tracks
print(collecting_inside, gc.isenabled(), gc.get_freeze_count() - frozen >= 1001)

frozen = gc.get_freeze_count()
with loading_libraries():
    import xml.dom.minidom  # imported already: nothing is loaded, nothing frozen
    garbage = [[number] for number in range(1000)]
print(gc.get_freeze_count() - frozen)

gc.disable()
with loading_libraries():
    import json.tool
print(gc.isenabled())
"""


def test_what_is_imported_inside_is_frozen_and_the_collector_restored():
    result = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.splitlines() == ["False True True", "0", "False"]
