"""`dag.test()`'s in-process Task Execution API, built for the one API version it is asked.

`dag.test()` runs every task through an in-process copy of Airflow's Task Execution API
(`in_process_api_server()`, one per process). On its first request Cadwyn, the versioning
library behind that API, generates the routers of every API version Airflow still serves
(nine in Airflow 3.3) for older task SDKs elsewhere: about 4 CPU-s, the largest Airflow cost of
a `learnloop run`. In process the only client is this Airflow's own task SDK, which sends
one version, the newest. So before the first request the app's version bundle is cut to that
version: Cadwyn then generates one set of routers (about 0.4 CPU-s). DECISIONLOG.md, "The
in-process execution API builds only the version its client speaks", has the figures.

Where the installed Airflow does not look as expected (the SDK's version is not the newest,
the app has already served, Cadwyn's attributes moved), the app is left as Airflow built it.
"""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)


def serve_only_the_task_sdk_version() -> bool:
    """Cut the in-process API of this process to the task SDK's API version, before its first
    request; returns whether it was cut (False: the app stays as Airflow built it)."""
    from airflow.sdk.api.datamodels._generated import API_VERSION
    from airflow.sdk.execution_time.supervisor import in_process_api_server
    from cadwyn import HeadVersion, Version, VersionBundle

    app = in_process_api_server().app
    try:  # everything read first, so that a Cadwyn without these names changes nothing
        from cadwyn.route_generation import _DELETED_ROUTE_TAG

        bundle = app.versions
        served = app._cadwyn_initialized  # it answered a request already: its routers exist
        head = app._latest_version_router
        routers = app.router.versioned_routers
    except (AttributeError, ImportError) as exc:
        log.debug("in-process execution API left with every version: %s", exc)
        return False
    newest = bundle.versions[0]
    # Head must equal the newest version, which then needs none of the version changes: the
    # changes only derive the older versions from it.
    if served or newest.value != API_VERSION or bundle.head_version.changes:
        return False
    # Same context variable: the app's middleware sets each request's version in the one the
    # app was built with.
    app.versions = VersionBundle(
        HeadVersion(), Version(newest.value), api_version_var=bundle.api_version_var
    )
    # Routes that only older versions have: Cadwyn insists a version change restores them.
    head.routes = [r for r in head.routes if _DELETED_ROUTE_TAG not in getattr(r, "tags", ())]
    app.router.versioned_routers = {API_VERSION: routers[API_VERSION]}
    return True
