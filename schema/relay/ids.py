"""Opaque global IDs: what a client holds for a row, and the keys behind them."""

from __future__ import annotations

import base64
import binascii

import strawberry

from models.errors import InputError
from models.ids import global_id

encode_id = global_id


# Keys are INTEGER columns: a well-formed ID may still carry a key no row can
# have (Account:99999999999); it must read like any other missing row, not reach
# the database and crash there.
MAX_KEY = 2**31 - 1
NO_ROW = ("", 0)


def decode_id(global_id: str) -> tuple[str, int]:
    """(type name, primary key) of a global ID; malformed IDs are a client error.

    Keys no row can have decode to NO_ROW, which matches no type.
    """
    try:
        padded = global_id + "=" * (-len(global_id) % 4)
        type_name, _, text = base64.urlsafe_b64decode(padded.encode()).decode().partition(":")
        pk = int(text)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise InputError(f"{global_id!r} is not a Docket ID.") from None
    return (type_name, pk) if 0 < pk <= MAX_KEY else NO_ROW


def decode_as(global_id: str | strawberry.ID, *type_names: str) -> int | None:
    """The key of an ID of one of `type_names`, or None if it is another type's.

    Callers treat None exactly like a key that does not exist, so a wrong type
    and a missing row read alike.
    """
    type_name, pk = decode_id(str(global_id))
    return pk if type_name in type_names else None


def key_for(global_id: str | strawberry.ID, type_name: str) -> int:
    """The key of an ID of `type_name` for a mutation; any other ID gives 0, no row's key."""
    return decode_as(global_id, type_name) or 0


def keys_for(global_ids: list[strawberry.ID] | None, type_name: str) -> list[int] | None:
    """Keys of the IDs of `type_name` (filters); IDs of other types match nothing."""
    if global_ids is None:
        return None
    return [pk for pk in (decode_as(i, type_name) for i in global_ids) if pk is not None]
