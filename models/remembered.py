"""Viewers remembered between requests, never trusted without proof.

Signing in is a statement per request. A staff user's viewer is remembered by its
token's digest, with what it was built from (the token, the user row's `updated_at`,
the roles), so a query can start from it at once; `fastpath.gate` then makes sure
nothing is read, and no answer leaves, before the database confirms that all of it
still holds: the JSON lane's one statement checks `proof()` beside the page, and any
other request runs `still_signed_in()` before its first statement. A revoked or
expired token, a deactivated user, a changed row (saved: `updated_at` moves) or
changed roles fail the proof; the request then starts again from a fresh sign-in.
Portal contacts are not remembered.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from models.clock import now
from models.viewer import Viewer

_MAX = 4096


@dataclass(frozen=True)
class Remembered:
    """A staff user's viewer and what it was built from."""

    digest: str
    viewer: Viewer
    token_id: int
    updated_at: datetime
    roles: tuple[str, ...]  # sorted by code point


_VIEWERS: OrderedDict[str, Remembered] = OrderedDict()


def remember(digest: str, viewer: Viewer | None) -> None:
    """Keep (or forget) the viewer a sign-in just found for this token's digest."""
    user = viewer.user if viewer is not None else None
    if viewer is None or user is None or viewer.token_id is None:
        _VIEWERS.pop(digest, None)
        return
    _VIEWERS[digest] = Remembered(digest, viewer, viewer.token_id, user.updated_at, _sorted(viewer))
    _VIEWERS.move_to_end(digest)
    while len(_VIEWERS) > _MAX:
        _VIEWERS.popitem(last=False)


def recall(digest: str) -> Remembered | None:
    return _VIEWERS.get(digest)


def forget(digest: str) -> None:
    _VIEWERS.pop(digest, None)


def holds(remembered: Remembered, viewer: Viewer | None) -> bool:
    """Is a fresh sign-in's viewer the one remembered (same token, row and roles)?"""
    user = viewer.user if viewer is not None else None
    return (
        viewer is not None
        and user is not None
        and viewer.token_id == remembered.token_id
        and user.id == remembered.viewer.user_id
        and user.updated_at == remembered.updated_at
        and _sorted(viewer) == remembered.roles
    )


def proof(remembered: Remembered) -> tuple[str, list[Any]]:
    """The PostgreSQL condition that is true while the remembered viewer holds, and its
    parameters ($1..$5): what the sign-in statement checks, and the same row and roles."""
    sql = (
        'EXISTS (SELECT 1 FROM "auth_tokens" t JOIN "users" u ON u."id" = t."user_id"'
        ' WHERE t."id" = $1 AND t."token_hash" = $2 AND t."revoked_at" IS NULL'
        ' AND t."expires_at" > $3 AND u."is_active" AND u."updated_at" = $4'
        ' AND ARRAY(SELECT r."role"::text FROM "user_roles" r WHERE r."user_id" = u."id"'
        ' ORDER BY r."role"::text COLLATE "C") = $5::text[])'
    )
    values = [
        remembered.token_id,
        remembered.digest,
        now(),
        remembered.updated_at,
        list(remembered.roles),
    ]
    return sql, values


def _sorted(viewer: Viewer) -> tuple[str, ...]:
    return tuple(sorted(role.value for role in viewer.roles))
