"""The malicious-document catalogue: what a hostile client sends to /graphql.

Each entry is the raw bytes of one request (or one WebSocket frame), so the
server sees exactly what an attacker's script would send: nothing is rejected
here by a client library first. `big` entries are sent fewer times.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

KB = 1024
MB = 1024 * KB


@dataclass
class Attack:
    name: str
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    method: str = "POST"
    path: str = "/graphql"
    chunked: bool = False  # send without Content-Length
    ws_frame_bytes: int = 0  # a WebSocket text frame of this size before connection_init
    big: bool = False


def _doc(query: str, **members: object) -> bytes:
    return json.dumps({"query": query, **members}).encode()


def _fragment_bomb(levels: int, leaf: str) -> str:
    parts = [f"fragment F0 on Query {{ {leaf} }}"]
    for n in range(1, levels + 1):
        parts.append(f"fragment F{n} on Query {{ ...F{n - 1} ...F{n - 1} }}")
    return f"query {{ ...F{levels} }} " + " ".join(parts)


def attacks() -> list[Attack]:
    nested_fields = "{ accounts { nodes { " + "parent { " * 20 + "id" + " }" * 20 + " } } }"
    deep_selection = "{" + "a{" * 1500 + "b" + "}" * 1500 + "}"
    deep_list_literal = "{ nodes(ids: " + "[" * 2000 + '"x"' + "]" * 2000 + ") { id } }"
    aliases_31 = "{ " + " ".join(f"a{n}: __typename" for n in range(31)) + " }"
    aliases_lists = (
        "{ "
        + " ".join(f"a{n}: accounts(first: 100) {{ nodes {{ id }} }}" for n in range(450))
        + " }"
    )
    directives = "{ __typename" + " @include(if: true)" * 600 + " }"
    unknown_directives = "{ __typename" + " @x" * 2000 + " }"
    variables = "query(" + ", ".join(f"$v{n}: Int" for n in range(1200)) + ") { __typename }"
    many_ops = " ".join(f"query Q{n} {{ __typename }}" for n in range(1200))
    cycle = "query { ...A } fragment A on Query { ...B } fragment B on Query { ...A }"
    nested_var = "[" * 100_000 + "]" * 100_000
    nested_500 = "[" * 500 + '"x"' + "]" * 500
    list_query = "query($ids: [ID!]!) { nodes(ids: $ids) { id } }"
    first_query = "query($f: Int) { accounts(first: $f) { totalCount } }"
    huge_digits = "9" * 5000
    return [
        Attack("baseline: { __typename } (reference cost)", _doc("{ __typename }")),
        Attack("depth bomb: 22 levels of real fields", _doc(nested_fields)),
        Attack("depth bomb: 1,500 nested selections", _doc(deep_selection)),
        Attack("deep list literal: 2,000 levels", _doc(deep_list_literal)),
        Attack("alias flood: 31 aliases", _doc(aliases_31)),
        Attack("alias flood: 450 aliased 100-item lists", _doc(aliases_lists)),
        Attack(
            "fragment bomb: 30 levels x2, leaf __typename",
            _doc(_fragment_bomb(30, "__typename")),
        ),
        Attack(
            "fragment bomb: 30 levels x2, leaf 100-item list",
            _doc(_fragment_bomb(30, "accounts(first: 100) { nodes { id name } }")),
        ),
        Attack("fragment cycle", _doc(cycle)),
        Attack("directive flood: 600 @include", _doc(directives)),
        Attack("directive flood: 2,000 unknown @x", _doc(unknown_directives)),
        Attack("variable flood: 1,200 definitions", _doc(variables)),
        Attack("1,200 operations in one document", _doc(many_ops)),
        Attack(
            "huge string literal: 900 KB",
            _doc('{ node(id: "' + "A" * 900 * KB + '") { id } }'),
            big=True,
        ),
        Attack(
            "huge int literal: 900,000 digits",
            _doc("{ accounts(first: " + "9" * 900_000 + ") { totalCount } }"),
            big=True,
        ),
        Attack(
            "huge number in variables: 5,000 digits",
            f'{{"query": {json.dumps(first_query)}, "variables": {{"f": {huge_digits}}}}}'.encode(),
        ),
        Attack(
            "huge number in variables: 1e400",
            f'{{"query": {json.dumps(first_query)}, "variables": {{"f": 1e400}}}}'.encode(),
        ),
        Attack(
            "nested lists in variables: 100,000 levels",
            f'{{"query": {json.dumps(list_query)}, "variables": {{"ids": {nested_var}}}}}'.encode(),
        ),
        Attack(
            "nested lists in variables: 500 levels",
            f'{{"query": {json.dumps(list_query)}, "variables": {{"ids": {nested_500}}}}}'.encode(),
        ),
        Attack(
            "wide list in variables: 100,000 IDs",
            _doc(list_query, variables={"ids": ["x"] * 100_000}),
        ),
        Attack(
            "batch: 1,000 operations", json.dumps([{"query": "{ __typename }"}] * 1000).encode()
        ),
        Attack("wrong JSON type: query is a number", b'{"query": 123}'),
        Attack("wrong JSON type: variables is a string", _doc("{ __typename }", variables="x")),
        Attack("wrong JSON type: variables is a list", _doc("{ __typename }", variables=[1])),
        Attack("wrong JSON type: body is a string", b'"{ __typename }"'),
        Attack("wrong JSON type: body is null", b"null"),
        Attack("operationName is an object", _doc("{ __typename }", operationName={"a": 1})),
        Attack("NUL in a string literal", _doc('{ node(id: "a\\u0000b") { id } }')),
        Attack("NUL in the document (outside strings)", _doc("{ __typename \u0000 }")),
        Attack(
            "NUL in variables",
            _doc("query($id: ID!) { node(id: $id) { id } }", variables={"id": "a\u0000b"}),
        ),
        Attack("invalid UTF-8 body", b'{"query": "{ __typename \xff\xfe }"}'),
        Attack("not JSON at all", b"\x00\x01garbage{{{"),
        Attack(
            "persisted query: unknown hash, no text",
            json.dumps(
                {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "f" * 64}}}
            ).encode(),
        ),
        Attack(
            "GET without the CSRF header",
            method="GET",
            path="/graphql?query=%7B__typename%7D",
        ),
        Attack("2 MB body with Content-Length", _doc("{ __typename }", pad="x" * 2 * MB), big=True),
        Attack(
            "2 MB body, chunked (no Content-Length)",
            _doc("{ __typename }", pad="x" * 2 * MB),
            chunked=True,
            big=True,
        ),
        Attack("15 MB WebSocket frame before connection_init", ws_frame_bytes=15 * MB, big=True),
    ]


def main() -> None:
    """`python -m chaos.catalogue` lists the entries; `python -m chaos.catalogue N`
    writes entry N's exact request body to stdout (to replay it with curl)."""
    import sys

    entries = attacks()
    if len(sys.argv) < 2:
        for n, attack in enumerate(entries):
            print(f"{n:3d}  {attack.name}")
        return
    sys.stdout.buffer.write(entries[int(sys.argv[1])].body)


if __name__ == "__main__":
    main()
