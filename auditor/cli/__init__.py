"""The `auditor` console script; importing the command modules registers them on `app`."""

from auditor.cli._app import app
from auditor.cli import audit_cmd, claims_cmd, rules_cmd, try_cmd  # noqa: F401  (registration)
from auditor.cli import report_cmd  # noqa: F401  (registration)
from auditor.cli import extract_cmd  # noqa: F401  (registration)
from auditor.cli import bench_cmd  # noqa: F401  (registration)


def main() -> None:
    app()


__all__ = ["app", "main"]
