"""Under CI (the variable `CI` set, as GitHub and .ci/run set it) a skipped test is a failed test: a contributor's machine
may lack Chromium, a tmpfs or the rights to mount one, and the test says why it did not run; CI must run every test."""
import os

import pytest


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    report = (yield).get_result()
    if os.environ.get("CI") and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome, report.longrepr = "failed", f"skipped, and CI must run every test: {reason}"
