"""Global IDs as a client holds them, for rows a test wrote and keys it reads back.

Tests write rows through the models (tests/factories.py) and then speak to the API
with the IDs a client would have received for them.
"""

from __future__ import annotations

from schema.relay.ids import decode_id, encode_id


def gid(type_name: str, pk: int) -> str:
    """The global ID a client would have received for this row."""
    return encode_id(type_name, pk)


def pk_of(global_id: str) -> int:
    """The primary key behind a global ID the API returned, to find its row."""
    return decode_id(global_id)[1]
