"""The limit floor: each list scenario answered by ONE SQL statement.

Not part of the product. Where `bench.floor` runs the product's statements (token,
user, roles, the page, one per relation), here a single statement checks the bearer
token and has PostgreSQL build the whole JSON answer: the page, its to-one relations
joined, global IDs and timestamps written as the GraphQL answer writes them,
`json_agg` in the page's order. Python only passes the text through. It is the
least a request for that screen can cost on this machine: one round trip, no
object built in Python. The runner checks its answer equals the GraphQL `data`
before it times anything, as for the other floor.

The page size is written into the statement's text (`LIMIT 50`), as Docket writes
it (fastpath.query_sql). Sent as a parameter, PostgreSQL plans the statement anew at
every execution: measured, 2.0 ms per execution of the dashboard's statement against
1.0 ms with the number written in, which would leave this floor short of the limit.
"""

from __future__ import annotations

import asyncpg


def _iso(column: str) -> str:
    """A timestamptz as Python's isoformat() writes it in UTC (no fraction when zero)."""
    column = f"({column})"
    return (
        f"to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS')"
        f" || CASE WHEN date_part('microseconds', {column})::bigint % 1000000 = 0 THEN ''"
        f" ELSE to_char({column} AT TIME ZONE 'UTC', '.US') END || '+00:00'"
    )


def _gid(type_name: str, column: str) -> str:
    """The global ID: unpadded URL-safe base64 of `Type:id` (schema.relay.ids)."""
    return (
        f"rtrim(translate(encode(convert_to('{type_name}:' || {column}, 'UTF8'), 'base64'),"
        " '+/', '-_'), '=')"
    )


# Only a live token of an active user with a role opens the answer (as bench.floor).
_VIEWER = """viewer AS (
  SELECT 1 FROM auth_tokens t JOIN users u ON u.id = t.user_id AND u.is_active
  WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND t.expires_at > now()
    AND EXISTS (SELECT 1 FROM user_roles ur WHERE ur.user_id = u.id)
)"""

DASHBOARD = f"""WITH {_VIEWER},
page AS (
  SELECT id, status, note, created_at, updated_at, type_id, account_id, assignee_id, contact_id
  FROM account_requests WHERE EXISTS (SELECT 1 FROM viewer) AND status IN ('OPEN')
  ORDER BY updated_at DESC, id DESC LIMIT $2
)
SELECT CASE WHEN EXISTS (SELECT 1 FROM viewer) THEN json_build_object('accountRequests',
  json_build_object('nodes', coalesce((
    SELECT json_agg(json_build_object(
      'id', {_gid("AccountRequest", "p.id")},
      'status', p.status, 'note', p.note,
      'createdAt', {_iso("p.created_at")}, 'updatedAt', {_iso("p.updated_at")},
      'type', CASE WHEN ty.id IS NULL THEN NULL ELSE json_build_object('name', ty.name) END,
      'account', CASE WHEN a.id IS NULL THEN NULL
                 ELSE json_build_object('name', a.name, 'number', a.number) END,
      'assignee', CASE WHEN u.id IS NULL THEN NULL ELSE json_build_object('name', u.name) END,
      'contact', CASE WHEN c.id IS NULL THEN NULL
                 ELSE json_build_object('name', c.name, 'email', c.email) END)
      ORDER BY p.updated_at DESC, p.id DESC)
    FROM page p
    LEFT JOIN account_request_types ty ON ty.id = p.type_id
    LEFT JOIN accounts a ON a.id = p.account_id
    LEFT JOIN users u ON u.id = p.assignee_id
    LEFT JOIN contacts c ON c.id = p.contact_id), '[]'::json)))::text END"""

REVIEW_QUEUE = f"""WITH {_VIEWER},
page AS (
  SELECT id, description, urgency, status, account_id, site_id, submitted_at
  FROM service_requests WHERE EXISTS (SELECT 1 FROM viewer) AND status IN ('PENDING')
  ORDER BY submitted_at DESC, id DESC LIMIT $2
),
company AS (SELECT default_sla_hours FROM company_settings WHERE id = 1)
SELECT CASE WHEN EXISTS (SELECT 1 FROM viewer) THEN json_build_object('serviceRequests',
  json_build_object('nodes', coalesce((
    SELECT json_agg(json_build_object(
      'id', {_gid("ServiceRequest", "p.id")},
      'description', p.description, 'urgency', p.urgency, 'status', p.status,
      'account', CASE WHEN a.id IS NULL THEN NULL ELSE json_build_object('name', a.name) END,
      'site', CASE WHEN s.id IS NULL THEN NULL
              ELSE json_build_object('name', s.name, 'city', s.city) END,
      'jobDraft', CASE WHEN p.status <> 'PENDING' OR a.id IS NULL THEN NULL
        ELSE json_build_object(
          'priority', CASE p.urgency WHEN 'URGENT' THEN 'HIGH' ELSE 'MEDIUM' END,
          'slaDueAt', (SELECT {_iso("now() + make_interval(hours => h.hours)")}
                       FROM (SELECT coalesce(a.default_sla_hours,
                                    (SELECT default_sla_hours FROM company)) AS hours) h
                       WHERE h.hours IS NOT NULL)) END)
      ORDER BY p.submitted_at DESC, p.id DESC)
    FROM page p
    LEFT JOIN accounts a ON a.id = p.account_id
    LEFT JOIN sites s ON s.id = p.site_id), '[]'::json)))::text END"""

# The route of each scenario's limit floor (bench.scenario.Scenario.floor_path) and its
# SQL; `$2` is the page size from the variables, written into the text.
STATEMENTS: dict[str, str] = {"dashboard": DASHBOARD, "review-queue": REVIEW_QUEUE}
_written: dict[tuple[str, int], str] = {}


def statement(route: str, first: int) -> str:
    """The route's SQL for a page of `first`, the number in its text."""
    key = (route, first)
    text = _written.get(key)
    if text is None:
        text = _written[key] = STATEMENTS[route].replace("LIMIT $2", f"LIMIT {int(first)}")
    return text


async def answer(conn: asyncpg.Connection, route: str, digest: str, first: int) -> str | None:
    """The `data` of the scenario as JSON text, or None for a refused token."""
    text: str | None = await conn.fetchval(statement(route, first), digest)
    return text
