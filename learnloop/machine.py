"""What this machine offers: CPU cores and memory, the upper bounds of `[performance]`."""

from __future__ import annotations

import os
from pathlib import Path

# cgroup limits of a container, v2 then v1; "max" or an absurd v1 value means "no limit".
_CGROUP_MEMORY_FILES = (
    Path("/sys/fs/cgroup/memory.max"),
    Path("/sys/fs/cgroup/memory/memory.limit_in_bytes"),
)


def cpu_cores() -> int:
    """Cores this process may run on (a container's CPU set, not the host's count)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def memory_bytes() -> int:
    """Physical memory, or a container's memory limit when that is lower."""
    physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    for limit_file in _CGROUP_MEMORY_FILES:
        try:
            limit = int(limit_file.read_text(encoding="ascii").strip())
        except (OSError, ValueError):
            continue
        return min(physical, limit)
    return physical
