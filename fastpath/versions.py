"""The fast paths read graphql-core's and Strawberry's internals (the executor's
fields, FieldDetails, Strawberry's resolver wrapper and extension runner). They
run only on the versions they were verified with, by the conformance corpus, the
differential fuzzing and the suite's EXECUTION_CHECK; on any other version they
turn themselves off with one warning and standard execution answers everything.
Upgrading: bump the lock file, run `make test` and `make fuzz`, then add the
versions here.
"""

from __future__ import annotations

import functools
import logging
from importlib.metadata import PackageNotFoundError, version

log = logging.getLogger("docket.engine")

VERIFIED: dict[str, frozenset[str]] = {
    "graphql-core": frozenset({"3.3.2"}),
    "strawberry-graphql": frozenset({"0.341.2"}),
}


def installed(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "not installed"


@functools.cache
def fast_paths_verified() -> bool:
    """Are the installed versions ones the fast paths were verified with? Said once."""
    found = {package: installed(package) for package in VERIFIED}
    unverified = {p: v for p, v in found.items() if v not in VERIFIED[p]}
    if unverified:
        log.warning(
            "fast paths off: %s not verified (verified: %s); standard execution answers",
            ", ".join(f"{p} {v}" for p, v in unverified.items()),
            ", ".join(f"{p} {'/'.join(sorted(VERIFIED[p]))}" for p in unverified),
        )
    return not unverified
