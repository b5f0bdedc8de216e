"""The JSON lane's connections: what a plan shows around the items, and its JSON.

`connection_shape` reads a connection's plan (`nodes`, `edges` with `cursor` and
`node`, `pageInfo`, `totalCount`, `__typename`, under any response names) into a
`Shape`; `connection_json` writes the connection from the items' JSON texts, their
cursors and the facts of the page, in the document's order.
"""

from __future__ import annotations

from typing import Any, cast

import orjson

from fastpath.pages import _python_name
from fastpath.plans import ObjectPlan

# What a connection shows, field by field: (response key as JSON, what it is, detail).
Shape = list[tuple[bytes, str, Any]]


def connection_json(
    shape: Shape,
    items: list[bytes],
    marks: list[bytes],
    *,
    more: bool,
    before: bool,
    total: int,
    listed: str | None = None,
) -> bytes:
    """The connection's JSON; `listed`: the items as one array the database wrote.

    Written as pieces joined once: a page's items are most of the answer (20 KB for a
    dashboard of fifty), and each `+` of the whole would copy them again."""
    pieces: list[bytes] = []
    for name, kind, detail in shape:
        pieces += (b"," if pieces else b"{", name, b":")
        if kind == "typename":
            pieces.append(detail)
        elif kind == "nodes":
            if listed is not None:
                pieces.append(listed.encode())
            else:
                pieces += (b"[", b",".join(items), b"]")
        elif kind == "edges":
            edges = (_edge(detail, i, m) for i, m in zip(items, marks, strict=True))
            pieces += (b"[", b",".join(edges), b"]")
        elif kind == "page_info":
            facts: dict[str, bytes] = {
                "has_next_page": b"true" if more else b"false",
                "has_previous_page": b"true" if before else b"false",
                "start_cursor": marks[0] if marks else b"null",
                "end_cursor": marks[-1] if marks else b"null",
            }
            pieces.append(_object(detail, facts))
        else:  # total_count
            pieces.append(str(total).encode())
    pieces.append(b"}" if pieces else b"{}")
    return b"".join(pieces)


def _edge(shape: Shape, item: bytes, mark: bytes) -> bytes:
    return _object(shape, {"node": item, "cursor": mark})


def _object(shape: Shape, values: dict[str, bytes]) -> bytes:
    """A JSON object of `shape`: each field's value from `values`, a typename as given."""
    parts = [name + b":" + cast(bytes, values.get(kind, detail)) for name, kind, detail in shape]
    return b"{" + b",".join(parts) + b"}"


def _edge_shape(edge: ObjectPlan, items: list[ObjectPlan]) -> Shape | None:
    shape: Shape = []
    for field_plan in edge.fields:
        name = orjson.dumps(field_plan.response_name)
        if field_plan.typename is not None:
            shape.append((name, "typename", orjson.dumps(field_plan.typename)))
            continue
        kind = field_plan.attribute or _python_name(field_plan)
        completer = field_plan.completer
        if kind == "node" and completer is not None and completer.plan is not None:
            items.append(completer.plan)
            shape.append((name, "node", None))
        elif kind == "cursor" and field_plan.batch is None and field_plan.gate is None:
            shape.append((name, "cursor", None))
        else:
            return None
    return shape


_PAGE_INFO = frozenset({"has_next_page", "has_previous_page", "start_cursor", "end_cursor"})


def _page_info_shape(page_info: ObjectPlan) -> Shape | None:
    shape: Shape = []
    for field_plan in page_info.fields:
        name = orjson.dumps(field_plan.response_name)
        if field_plan.typename is not None:
            shape.append((name, "typename", orjson.dumps(field_plan.typename)))
        elif field_plan.attribute in _PAGE_INFO:
            shape.append((name, field_plan.attribute, None))
        else:
            return None
    return shape


def origin(plan: ObjectPlan) -> Any:
    definition = plan.type.extensions.get("strawberry-definition")
    return getattr(definition, "origin", None)


def connection_shape(plan: ObjectPlan) -> tuple[Shape, list[ObjectPlan]] | None:
    """What a connection's plan shows around its items, and the plans of its items
    (under `nodes` and `edges { node }`); None for anything else."""
    shape: Shape = []
    items: list[ObjectPlan] = []
    for field_plan in plan.fields:
        name = orjson.dumps(field_plan.response_name)
        if field_plan.typename is not None:
            shape.append((name, "typename", orjson.dumps(field_plan.typename)))
            continue
        kind = field_plan.attribute or _python_name(field_plan)
        completer = field_plan.completer
        if completer is None:
            return None
        if kind == "nodes" and completer.item is not None and completer.item.plan is not None:
            items.append(completer.item.plan)
            shape.append((name, "nodes", None))
        elif kind == "edges" and completer.item is not None and completer.item.plan is not None:
            edge = _edge_shape(completer.item.plan, items)
            if edge is None:
                return None
            shape.append((name, "edges", edge))
        elif kind == "page_info" and completer.plan is not None:
            info = _page_info_shape(completer.plan)
            if info is None:
                return None
            shape.append((name, "page_info", info))
        elif kind == "total_count" and completer.leaf is not None and completer.leaf.name == "Int":
            shape.append((name, "total_count", None))
        else:
            return None
    return shape, items
