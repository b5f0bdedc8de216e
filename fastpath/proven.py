"""Statements that carry the running request's proof (`fastpath.gate`).

A request started from something remembered may prove it inside the statement that
reads its answer: the proof's condition is selected beside the rows (`with_proof`),
the statement runs past the gate, and what the database found settles the gate. The
JSON lane's statements (`json_lane`, `json_nodes`, `json_roots`) and the remembered
ones (`replay`) all run this way.
"""

from __future__ import annotations

from typing import Any

from fastpath.gate import GATE, Gate, Unconfirmed
from fastpath.together import TOGETHER, alone, shifted


def with_proof(sql: str, proof: str, after: int) -> str:
    """`sql` with what the request started from proven in the same statement
    (fastpath.gate), the proof's parameters numbered after `sql`'s `after`: its row
    (`proof_`) even when `sql` gives none."""
    return (
        f"SELECT ({shifted(proof, after)}) AS proof_, z.* FROM (SELECT 1) o"
        f" LEFT JOIN LATERAL ({sql}) z ON true"
    )


def open_proof() -> tuple[Gate, str, list[Any]] | None:
    """The running request's gate, its proof's SQL and values, where a statement must
    carry it (the gate is not settled yet)."""
    gate = GATE.get()
    if gate is None or gate.state is not None or gate.proof is None:
        return None
    return gate, *gate.proof


async def fetch_one_proven(db: Any, sql: str, values: list[Any]) -> Any:
    """The rows of `sql`, a statement of one row, carrying the running request's proof
    where its gate is not settled yet (see `with_proof`, `fetch_proven`)."""
    found = open_proof()
    if found is None:
        return await fetch_proven(db, sql, values, proven=None, one_row=True)
    gate, proof, proof_values = found
    proven = with_proof(sql, proof, len(values))
    return await fetch_proven(db, proven, [*values, *proof_values], proven=gate, one_row=True)


async def fetch_proven(
    db: Any, sql: str, values: list[Any], *, proven: Gate | None, one_row: bool = False
) -> Any:
    """The statement's rows; carrying the gate's proof (`proven`), it passes the gate
    and settles it with what the database found. A statement of one row (`one_row`)
    among root fields answered side by side runs with theirs, as one
    (`fastpath.together`)."""
    together = TOGETHER.get() if one_row else None
    passing = proven is not None
    if together is not None:
        rows = await together.fetch(db, sql, values, passing=passing)
    else:
        rows = await alone(db, sql, values, passing=passing)
    if proven is not None:
        proven.settle(bool(rows and rows[0]["proof_"]))
        if proven.state is not True:
            raise Unconfirmed
    return rows
