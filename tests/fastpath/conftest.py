"""Fixtures the engine's tests share."""

from __future__ import annotations

from typing import Any

import pytest

from fastpath import CHECKING, direct


@pytest.fixture
def core_runs(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """graphql-core executions of the direct lane (not the execution check's)."""
    runs: list[object] = []
    original = direct.execute

    def counted(*args: Any, **kwargs: Any) -> Any:
        if not CHECKING.get():
            runs.append(args[1])
        return original(*args, **kwargs)

    monkeypatch.setattr(direct, "execute", counted)
    return runs
