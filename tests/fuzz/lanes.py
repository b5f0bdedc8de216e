"""The property: send a request to the fast app (twice) and the standard app, judge.

The fast app is the API as deployed (compiled projections and the direct lane,
here with EXECUTION_CHECK on); the standard app is the same code with both off,
built on the same database and served in this process through
httpx.ASGITransport (its lifespan is the fast server's: same connections,
broker and storage). The direct lane admits a query after its first clean run,
so the second send to the fast app takes it.

A request fails when any answer is a 5xx, not JSON, carries "Unexpected
error." (INTERNAL_SERVER_ERROR) or an error without `extensions.code`, or when
either fast answer differs from the standard one: same status, same `data`
(timestamps and signed links may differ by their signing second), same errors
(message, code, path, locations; in any order).
"""

from __future__ import annotations

import asyncio
import logging
import re
import traceback
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
from starlette.types import ASGIApp, Receive, Scope, Send

from api.app import build_app
from api.settings import Settings
from fastpath import same_answer
from tests.fuzz.documents import Case, dumps

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 60.0
STANDARD_RETRIES = 4
UNEXPECTED = "Unexpected error."
_LOGGERS = ("docket", "uvicorn.error", "tests.fuzz")
_crash_log = logging.getLogger("tests.fuzz.standard")


def describe(error: BaseException) -> str:
    """`Type: message @ file:line in function`, at the innermost frame of this project."""
    frames = [f for f in traceback.extract_tb(error.__traceback__) if ".venv" not in f.filename]
    where = ""
    if frames:
        last = frames[-1]
        path = Path(last.filename)
        shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        where = f" @ {shown}:{last.lineno} in {last.name}"
    cause = error.__cause__ or error.__context__
    because = f" (from {type(cause).__name__}: {str(cause)[:160]})" if cause else ""
    return f"{type(error).__name__}: {str(error)[:300]}{because}{where}"


class ServerLog(logging.Handler):
    """What the apps log as errors while answering: masked crashes, ASGI crashes."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.found: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info and record.exc_info[1] is not None:
            self.found.append(describe(record.exc_info[1]))
        else:
            self.found.append(f"{record.name}: {record.getMessage()[:300]}")

    def take(self) -> list[str]:
        found, self.found = self.found, []
        return found

    def __enter__(self) -> ServerLog:
        for name in _LOGGERS:
            logging.getLogger(name).addHandler(self)
        return self

    def __exit__(self, *_exc: object) -> None:
        for name in _LOGGERS:
            logging.getLogger(name).removeHandler(self)


class _LogCrashes:
    """Log an exception escaping the standard app as uvicorn would, then let it go on."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await self.app(scope, receive, send)
        except Exception:
            _crash_log.exception("exception in the standard app")
            raise


def standard_client(settings: Settings, base_url: str) -> httpx.AsyncClient:
    """An HTTP client of the app with standard execution only, on `settings`' database.

    `base_url` is the fast server's, so links the app makes (uploads) name a real server.
    """
    plain = settings.model_copy(
        update={"compiled_projections": False, "direct_queries": False, "execution_check": False}
    )
    app = _LogCrashes(build_app(plain, configure_logs=False))
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url=base_url, timeout=TIMEOUT)


@dataclass
class Answer:
    status: int
    body: Any  # the parsed JSON, or None
    text: str  # the raw answer when it is not JSON
    logged: list[str] = field(default_factory=list)  # errors the app logged meanwhile

    def record(self) -> dict[str, Any]:
        shown: dict[str, Any] = {"status": self.status, "logged": self.logged}
        if self.body is not None:
            shown["body"] = self.body
        else:
            shown["text"] = self.text[:2000]
        return shown


def problems(answer: Answer) -> list[str]:
    """The crash kinds of one answer (empty when it is a proper GraphQL answer)."""
    if answer.status == 0:
        return ["timeout"]
    found = []
    if answer.status >= 500:
        found.append("http_5xx")
    if answer.body is None:
        found.append("non_json")
        return found
    if not isinstance(answer.body, dict) or not ({"data", "errors"} & set(answer.body)):
        return [*found, "not_a_graphql_answer"]
    errors = answer.body.get("errors") or []
    codes = [(error.get("extensions") or {}).get("code") for error in errors]
    if any(error.get("message") == UNEXPECTED for error in errors) or (
        "INTERNAL_SERVER_ERROR" in codes
    ):
        found.append("unexpected_error")
    if any(not code for code in codes):
        found.append("uncoded_error")
    return found


_SIGNED = ("expires", "signature")


def _same_file_link(left: str, right: str) -> bool:
    """File-backend download links signed up to two seconds apart."""
    parts = [urlsplit(link) for link in (left, right)]
    if parts[0]._replace(query="") != parts[1]._replace(query="") or not parts[0].query:
        return False
    queries = [dict(parse_qsl(part.query, keep_blank_values=True)) for part in parts]
    if not all(name in query for query in queries for name in _SIGNED):
        return False
    rest = [{k: v for k, v in query.items() if k not in _SIGNED} for query in queries]
    try:
        apart = abs(int(queries[0]["expires"]) - int(queries[1]["expires"]))
    except ValueError:
        return False
    return rest[0] == rest[1] and apart <= 2


def difference(left: Any, right: Any, path: str = "") -> str | None:
    """Where two `data` values differ (None when alike), compared like
    schema.projection.same_answer: key order counts, clock-made values may drift."""
    if isinstance(left, dict) and isinstance(right, dict):
        if list(left) != list(right):
            return f"{path or '.'}: keys {list(left)} != {list(right)}"
        for key in left:
            found = difference(left[key], right[key], f"{path}.{key}")
            if found:
                return found
        return None
    if isinstance(left, list) and isinstance(right, list):
        if len(left) != len(right):
            return f"{path}: {len(left)} items != {len(right)}"
        for index, (a, b) in enumerate(zip(left, right, strict=True)):
            found = difference(a, b, f"{path}[{index}]")
            if found:
                return found
        return None
    if same_answer(left, right):
        return None
    if isinstance(left, str) and isinstance(right, str) and _same_file_link(left, right):
        return None
    return f"{path}: {str(left)[:120]!r} != {str(right)[:120]!r}"


def _errors(body: dict[str, Any]) -> list[str]:
    shown = []
    for error in body.get("errors") or []:
        extensions = {k: v for k, v in (error.get("extensions") or {}).items() if k != "errorId"}
        shown.append(
            repr((error.get("message"), extensions, error.get("path"), error.get("locations")))
        )
    return sorted(shown)


def answer_difference(fast: Answer, standard: Answer) -> str | None:
    """How a fast answer differs from the standard one, or None."""
    if fast.status != standard.status:
        return f"status {fast.status} != {standard.status}"
    if fast.body is None or standard.body is None:
        if fast.text != standard.text:
            return f"text {fast.text[:120]!r} != {standard.text[:120]!r}"
        return None
    if not isinstance(fast.body, dict) or not isinstance(standard.body, dict):
        return None if fast.body == standard.body else "answers of another shape"
    if ("data" in fast.body) != ("data" in standard.body):
        return "data present in one answer only"
    found = difference(fast.body.get("data"), standard.body.get("data"), "data")
    if found:
        return found
    if _errors(fast.body) != _errors(standard.body):
        return f"errors {_errors(fast.body)[:3]} != {_errors(standard.body)[:3]}"
    return None


def _same_aborted_root(fast: Answer, standard: Answer) -> bool:
    """`data: null` on both sides, with errors of the same messages and codes (their
    fields, paths and locations may differ: see `Lanes._standard_may_answer`)."""
    bodies = (fast.body, standard.body)
    if not all(isinstance(body, dict) and body.get("data", 0) is None for body in bodies):
        return False

    def kinds(body: dict[str, Any]) -> list[str]:
        return sorted(
            repr((e.get("message"), (e.get("extensions") or {}).get("code")))
            for e in body.get("errors") or []
        )

    return bool(kinds(fast.body)) and kinds(fast.body) == kinds(standard.body)


def _kind_of(line: str) -> str:
    """`Type` of a logged error, `Type(Cause)` when it came from another exception."""
    cause = re.search(r"\(from (\w+):", line)
    kind = line.split(": ", 1)[0]
    return f"{kind}({cause.group(1)})" if cause else kind


@dataclass
class Failure:
    role: str
    case: Case
    reasons: list[str]
    answers: dict[str, Answer]
    detail: dict[str, str]
    sent_before: list[str | None] = field(default_factory=list)  # same document, other ops

    def record(self) -> dict[str, Any]:
        return {
            "reasons": self.reasons,
            "role": self.role,
            "kind": self.case.kind,
            "notes": self.case.notes,
            "document": self.case.document,
            "variables": self.case.variables,
            "operationName": self.case.operation_name,
            "sentBefore": self.sent_before,
            "detail": self.detail,
            "answers": {label: answer.record() for label, answer in self.answers.items()},
        }

    def signature(self) -> str:
        """What tells one bug from another: the reasons and where the app crashed."""
        logged = {
            re.sub(r"\d+", "#", f"{_kind_of(line)} {line.rpartition(' @ ')[2]}")
            for answer in self.answers.values()
            for line in answer.logged
        }
        if logged:  # the crash tells the bug; where the answers then differ does not
            return " | ".join([*sorted(set(self.reasons)), *sorted(logged)])
        differs = {re.sub(r"\[\d+\]|\d+", "#", d.split(":")[0]) for d in self.detail.values()}
        return " | ".join([*sorted(set(self.reasons)), *sorted(differs)])


class Lanes:
    """Sends requests to both apps and applies the property."""

    def __init__(self, fast: httpx.AsyncClient, standard: httpx.AsyncClient) -> None:
        self.fast = fast
        self.standard = standard
        self.log = ServerLog()
        # Queries the standard app answered without any error: only those take the
        # direct lane on their second send, so their share says how deep the run went.
        self.clean: Counter[str] = Counter()
        self.varies: Counter[str] = Counter()

    async def send(self, client: httpx.AsyncClient, case: Case, token: str | None) -> Answer:
        headers = {"content-type": "application/json"}
        if token:
            headers["authorization"] = f"Bearer {token}"
        self.log.take()
        try:
            response = await asyncio.wait_for(
                client.post("/graphql", content=case.encoded(), headers=headers), TIMEOUT
            )
        except (TimeoutError, httpx.TimeoutException):
            return Answer(0, None, "no answer in time", self.log.take())
        try:
            body = response.json()
        except ValueError:
            body = None
        return Answer(response.status_code, body, response.text, self.log.take())

    async def check_query(self, case: Case, role: str, token: str | None) -> list[Failure]:
        """Each query operation of the document in turn (they share its cached plans)."""
        failures = []
        names = [case.operation_name, *case.also]
        for index, operation_name in enumerate(names):
            single = replace(case, operation_name=operation_name, also=[])
            failure = await self.check_operation(single, role, token)
            if failure is not None:
                failure.sent_before = names[:index]
                failures.append(failure)
        return failures

    async def check_operation(self, case: Case, role: str, token: str | None) -> Failure | None:
        """Fast app twice, standard app once: no crash anywhere, and the same answers."""
        answers = {
            "fast1": await self.send(self.fast, case, token),
            "fast2": await self.send(self.fast, case, token),
            "standard": await self.send(self.standard, case, token),
        }
        reasons = [f"{kind}@{label}" for label, a in answers.items() for kind in problems(a)]
        standard = answers["standard"].body
        if isinstance(standard, dict) and standard.get("data") and not standard.get("errors"):
            self.clean[role] += 1
        detail = {}
        for label in ("fast1", "fast2"):
            found = answer_difference(answers[label], answers["standard"])
            if found and not await self._standard_may_answer(answers[label], case, token, found):
                reasons.append(f"differs@{label}")
                detail[label] = found
        return Failure(role, case, reasons, answers, detail) if reasons else None

    async def _standard_may_answer(
        self, fast: Answer, case: Case, token: str | None, found: str
    ) -> bool:
        """Does the standard app itself give this answer when asked again, or one that
        differs only as answers of an aborted root may? When several non-null root fields
        fail, graphql-core reports the error of whichever fails first and cancels the
        others, and which is first varies from send to send. Counted in `varies`."""
        for _ in range(STANDARD_RETRIES):
            again = await self.send(self.standard, case, token)
            if answer_difference(fast, again) is None or _same_aborted_root(fast, again):
                self.varies[re.sub(r"\d+", "#", found)[:160]] += 1
                return True
        return False

    async def check_mutation(self, case: Case, role: str, token: str | None) -> Failure | None:
        """A mutation runs once, on the fast app: no crash, every error coded."""
        answer = await self.send(self.fast, case, token)
        reasons = [f"{kind}@fast" for kind in problems(answer)]
        return Failure(role, case, reasons, {"fast": answer}, {}) if reasons else None


def summary(failures: list[Failure], limit: int = 12) -> str:
    """One line per distinct failure with its smallest example, for assertion messages."""
    smallest: dict[str, Failure] = {}
    counts: dict[str, int] = {}
    for failure in failures:
        key = failure.signature()
        counts[key] = counts.get(key, 0) + 1
        known = smallest.get(key)
        if known is None or len(failure.case.document) < len(known.case.document):
            smallest[key] = failure
    lines = [f"{len(failures)} failing requests, {len(smallest)} distinct:"]
    for key, failure in list(smallest.items())[:limit]:
        lines.append(f"- x{counts[key]} {key}")
        lines.append(f"  role={failure.role} operationName={failure.case.operation_name!r}")
        lines.append(f"  variables={dumps(failure.case.variables, ensure_ascii=False)[:300]}")
        lines.append("  " + failure.case.document[:600].replace("\n", "\n  "))
    return "\n".join(lines)
