"""Values for arguments and variables: mostly valid, sometimes hostile.

Variables are JSON, so they can carry what no literal can: wrong JSON types,
lists and objects nested hundreds deep, strings of 100,000 characters, integers
past 64 bits. Hostile values are drawn at every level with a small
probability, so most documents still reach deep into the resolvers and the
fast paths; the rest knock on the coercion and database layers.

Every JSON value here survives the server's JSON parser (orjson): no lone
surrogates, no NaN or infinities, nesting under its 1,024 levels. A request
that cannot even be parsed tests the parser, not the API.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import date
from typing import Any

import graphql
from hypothesis import strategies as st

from schema.relay.ids import decode_id

# Printable-or-not text without surrogates (JSON cannot carry lone ones).
CHARS = st.characters(codec="utf-8", blacklist_categories=["Cs"])
ASCII = "abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
NAMES = ["North", "Northwind", "Contoso", "Fuzz", "Portal", "Lab", "%", "_", "'", "\\", "a"]
DEEP = [5, 60, 400, 900, 990]  # nesting depths of hostile lists/objects
HOSTILE_PERCENT = 12  # at each value, how often a hostile one is drawn (when not tame)
SPIKE_PERCENT = 40  # at each leaf of a tame value with a spike left, how often it is spent
SPIKED = ("String", "ID", "DateTime", "Date", "Decimal")  # where content reaches SQL


def _b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _deep_list(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = [value]
    return value


def _deep_object(depth: int) -> Any:
    value: Any = "x"
    for _ in range(depth):
        value = {"a": value}
    return value


def strings() -> st.SearchStrategy[str]:
    """Text a client might send, and text nobody should."""
    return st.one_of(st.sampled_from(NAMES), st.text(CHARS, max_size=12), bad_strings())


def bad_strings() -> st.SearchStrategy[str]:
    """NUL (which PostgreSQL text cannot hold), 100k characters, LIKE wildcards, bidi."""
    nul = st.text(CHARS, max_size=4).map(lambda text: f"a\x00{text}")
    return st.one_of(
        nul,
        nul,
        st.sampled_from([2_001, 50_001, 100_000]).map(lambda n: "x" * n),
        st.sampled_from(["", " ", "\x00", "😀" * 300, "\u202e\ufeff", "%_%", "'; DROP TABLE x"]),
    )


# Parse as aware datetimes, but fall outside years 1-9999 once in UTC (or at its edge).
DATETIME_EXTREMES = [
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-12:00",
    "0001-01-01T00:00:00Z",
    "9999-12-31T23:59:59.999999Z",
    "0001-01-01T04:59:59+05:00",
]
DATETIME_EDGES = [
    *DATETIME_EXTREMES,
    "2026-01-01T00:00:00",  # no offset: refused by the scalar
    "2026-02-30T00:00:00Z",
    "0000-01-01T00:00:00Z",
    "2026-01-01T00:00:00+24:00",
    "2026-W01T00:00Z",
    "now",
    "",
]
DATE_EDGES = ["0001-01-01", "9999-12-31", "2026-02-30", "20260101", "+10000-01-01"]
DECIMAL_EDGES = [
    "NaN",
    "Infinity",
    "-Infinity",
    "sNaN",
    "1e1000",
    "1E-1000",
    "99999999999999999999999999999999.99",
    "-0.00",
    "1,5",
    " 1 ",
    "1_000",
    "",
    "abc",
]


def datetimes() -> st.SearchStrategy[str]:
    valid = st.builds(
        lambda year, month, day, hour, offset: (
            f"{year:04d}-{month:02d}-{day:02d}T{hour:02d}:30:00{offset}"
        ),
        st.sampled_from([1, 2, 1970, 2026, 2030, 9998, 9999]),
        st.integers(1, 12),
        st.integers(1, 28),
        st.integers(0, 23),
        st.sampled_from(["Z", "+00:00", "+14:00", "-12:00", "+05:45", ".123456Z", "-00:30"]),
    )
    edges = st.sampled_from(DATETIME_EDGES)
    return st.one_of(valid, edges)


def dates() -> st.SearchStrategy[str]:
    return st.one_of(st.dates().map(lambda day: day.isoformat()), st.sampled_from(DATE_EDGES))


def decimals() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(["0", "0.00", "12.50", "-3", "1200.00", "0.001", "5000"]),
        st.decimals(allow_nan=False, allow_infinity=False, places=2).map(str),
        st.sampled_from(DECIMAL_EDGES),
    )


@dataclass
class IdPool:
    """Real IDs of the seeded company, and IDs that only look like IDs."""

    real: list[str]
    cursors: list[str]

    def ids(self) -> st.SearchStrategy[str]:
        if not self.real:
            return self.forged()
        real = st.sampled_from(self.real)
        return st.one_of(real, real, real, self.forged())

    def forged(self) -> st.SearchStrategy[str]:
        """Strings that look like global IDs and are not, or name no visible object."""
        forged = st.sampled_from(
            [
                _b64("Account:2147483648"),
                _b64("Account:99999999999999999999"),
                _b64("Account:-1"),
                _b64("Account:0"),
                _b64("Account:2147483647"),
                _b64("Account:\uff11"),  # a full-width digit: int() reads it as 1
                _b64("Account:1_0"),
                _b64("Account: 7"),
                _b64("Nope:1"),
                _b64(":1"),
                _b64("Account"),
                "QWNjb3VudDox\x00",
                "QWNjb3VudDox====",
                "QWNj+/b3VudDox",
                "not-an-id",
                "\x00",
                "",
            ]
        )
        garbage = st.binary(max_size=24).map(lambda raw: base64.b64encode(raw).decode())
        if not self.real:
            return st.one_of(forged, garbage)
        swapped = st.tuples(st.sampled_from(self.real), st.sampled_from(sorted(self._types())))
        return st.one_of(
            forged, garbage, swapped.map(lambda pair: _b64(f"{pair[1]}:{decode_id(pair[0])[1]}"))
        )

    def _types(self) -> set[str]:
        return {decode_id(gid)[0] or "Nope" for gid in self.real} or {"Account"}

    def cursor_values(self) -> st.SearchStrategy[str]:
        """Real cursors (offsets, and sort positions of ordered lists), or bad ones."""
        if not self.cursors:
            return self.bad_cursors()
        real = st.sampled_from(self.cursors)
        return st.one_of(real, real, self.bad_cursors())

    def bad_cursors(self) -> st.SearchStrategy[str]:
        """Offsets past any column's range, broken cursors, and real sort cursors
        with a value no column holds."""
        made = st.one_of(
            st.sampled_from([2**63, 2**31, 2**63 - 1, 10**30]), st.integers(0, 2**70)
        ).map(lambda n: _b64(f"cursor:{n}"))
        odd = st.sampled_from([_b64("cursor:-1"), _b64("cursor:x"), "", "\x00", "bm9wZQ"])
        if not self.cursors:
            return st.one_of(made, odd)
        return st.one_of(made, odd, st.sampled_from(self.cursors).flatmap(_forged))


def _forged(cursor: str) -> st.SearchStrategy[str]:
    """A sort cursor (base64 of ["sort", column, [tag, value], key]) made to lie."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        prefix, column, tagged, key = json.loads(base64.urlsafe_b64decode(padded))
    except (ValueError, TypeError):
        return st.just(cursor)
    variants = [
        [prefix, column, ["v", "x\u0000"], key],
        [prefix, column, ["v", 2**63], key],
        [prefix, column, ["v", -(2**40)], key],
        [prefix, column, ["t", "0001-01-01T00:00:00+05:00"], key],
        [prefix, column, ["t", "9999-12-31T23:59:59-05:00"], key],
        [prefix, column, ["t", "2026-01-01T00:00:00"], key],
        [prefix, column, ["v", None], key],
        [prefix, column, ["v", [1]], key],
        [prefix, column, ["x"], key],
        [prefix, column, tagged, 2**40],
        [prefix, column, tagged, -1],
        [prefix, "id", tagged, key],
    ]
    return st.sampled_from([_b64(json.dumps(variant)) for variant in variants])


class JsonValues:
    """JSON for a variable of any input type of the schema."""

    def __init__(self, schema: graphql.GraphQLSchema, pool: IdPool) -> None:
        self.schema = schema
        self.pool = pool

    def of(
        self,
        type_: graphql.GraphQLInputType,
        argument: str = "",
        *,
        tame: bool = False,
        spikes: list[Any] | None = None,
    ) -> st.SearchStrategy[Any]:
        """A value for `type_`. `tame` ones are valid and name only real objects, except
        for as many hostile parts as `spikes[0]` still allows (spent here), on leaves of
        the scalar type `spikes[1]` (any object or list now and then): one bad value in
        an otherwise valid request gets past coercion to the resolvers and the
        database, where a request of many bad values stops at the first."""
        return st.composite(lambda draw: self._draw(draw, type_, argument, 0, tame, spikes))()

    def _draw(
        self,
        draw: st.DrawFn,
        type_: Any,
        name: str,
        depth: int,
        tame: bool,
        spikes: list[Any] | None = None,
    ) -> Any:
        non_null = isinstance(type_, graphql.GraphQLNonNull)
        inner = type_.of_type if non_null else type_
        roll = draw(st.integers(0, 99))
        leaf = isinstance(inner, graphql.GraphQLScalarType) and bool(spikes)
        leaf = leaf and spikes is not None and inner.name == spikes[1]
        if spikes and spikes[0] > 0 and roll < (SPIKE_PERCENT if leaf else 3):
            spikes[0] -= 1
            if leaf and draw(st.integers(0, 3)) > 0:
                return draw(self.bad(inner.name, name))  # of the right type: reaches SQL
            return draw(self._hostile(inner, name))
        hostile = 0 if tame else HOSTILE_PERCENT
        if roll < hostile:
            return draw(self._hostile(inner, name))
        if not non_null and roll < hostile + 6:
            return None
        if isinstance(inner, graphql.GraphQLList):
            if draw(st.integers(0, 9)) == 0:  # one value where a list is expected
                return self._draw(draw, inner.of_type, name, depth + 1, tame, spikes)
            size = draw(st.integers(0, 3 if tame else 4))
            return [
                self._draw(draw, inner.of_type, name, depth + 1, tame, spikes) for _ in range(size)
            ]
        if isinstance(inner, graphql.GraphQLInputObjectType):
            fields = draw(st.permutations(sorted(inner.fields.items())))
            chosen = {}
            for field_name, field in fields:
                required = graphql.is_required_input_field(field)
                if (required or draw(st.booleans())) and depth < 6:
                    chosen[field_name] = self._draw(
                        draw, field.type, field_name, depth + 1, tame, spikes
                    )
            return chosen
        if isinstance(inner, graphql.GraphQLEnumType):
            return draw(st.sampled_from(sorted(inner.values)))
        if tame:
            return draw(self._tame_scalar(inner.name, name))
        return draw(self._scalar(inner.name, name))

    def _tame_scalar(self, type_name: str, argument: str) -> st.SearchStrategy[Any]:
        if type_name == "ID":
            return st.sampled_from(self.pool.real) if self.pool.real else self.pool.ids()
        if type_name == "String" and argument in ("after", "before"):
            return st.sampled_from(self.pool.cursors) if self.pool.cursors else st.just("")
        if type_name == "Int":
            # short pages: a nested list is priced by the page sizes around it (schema.cost)
            return st.integers(0, 12) if argument in ("first", "last") else st.integers(1, 100)
        if type_name == "DateTime":
            return st.builds(
                lambda year, month, offset: f"{year}-{month:02d}-11T08:30:00{offset}",
                st.integers(2000, 2035),
                st.integers(1, 12),
                st.sampled_from(["Z", "+02:00", "-05:00"]),
            )
        if type_name == "Date":
            return st.dates(date(2020, 1, 1), date(2035, 12, 31)).map(date.isoformat)
        if type_name == "Decimal":
            return st.sampled_from(["0", "12.50", "1200.00", "99.95"])
        if type_name == "String":
            return st.one_of(st.sampled_from(NAMES[:6]), st.text(ASCII, min_size=1, max_size=8))
        return self._scalar(type_name, argument)

    def bad(self, type_name: str, argument: str) -> st.SearchStrategy[Any]:
        """A value of the right scalar type that no column holds or no rule allows."""
        if type_name == "ID":
            return self.pool.forged()
        if type_name == "String" and argument in ("after", "before"):
            return self.pool.bad_cursors()
        if type_name == "Int":
            return st.sampled_from([-1, 101, 2**31 - 1, -(2**31), 0])
        if type_name == "DateTime":
            return st.sampled_from(DATETIME_EXTREMES) | st.sampled_from(DATETIME_EDGES)
        if type_name == "Date":
            return st.sampled_from(DATE_EDGES)
        if type_name == "Decimal":
            return st.sampled_from(DECIMAL_EDGES)
        if type_name == "String":
            return bad_strings()
        return self._scalar(type_name, argument)

    def _scalar(self, type_name: str, argument: str) -> st.SearchStrategy[Any]:
        if type_name == "ID":
            return self.pool.ids()
        if type_name == "String" and argument in ("after", "before"):
            return self.pool.cursor_values()
        if type_name == "Int":
            return st.one_of(
                st.integers(-3, 120), st.sampled_from([0, 1, 100, 101, 2**31 - 1, -(2**31)])
            )
        if type_name == "Boolean":
            return st.booleans()
        if type_name == "DateTime":
            return datetimes()
        if type_name == "Date":
            return dates()
        if type_name == "Decimal":
            return decimals()
        if type_name == "Float":
            return st.floats(allow_nan=False, allow_infinity=False)
        return strings()

    def _hostile(self, type_: Any, name: str) -> st.SearchStrategy[Any]:
        """A value of the wrong shape or size for `type_`, or (as often, for scalars) one
        of the right type with content no column holds."""
        wrong = st.sampled_from(
            [
                2**31,
                -(2**31) - 1,
                2**63,
                -(2**64),
                10**30,
                1.5,
                -0.0,
                1e308,
                True,
                "5",
                "",
                [],
                {},
                [None],
                {"id": "x"},
            ]
        )
        deep = st.sampled_from(DEEP).flatmap(
            lambda depth: st.sampled_from([_deep_list(depth), _deep_object(depth)])
        )
        parts = [wrong, deep, strings()]
        if isinstance(type_, graphql.GraphQLList):
            parts.append(st.just(["x"] * 101))
            parts.append(st.just([None] * 3))
        if isinstance(type_, graphql.GraphQLInputObjectType):
            parts.append(st.just({"noSuchField": 1}))
        if isinstance(type_, graphql.GraphQLEnumType):
            parts.append(st.sampled_from([v.lower() for v in type_.values] or ["x"]))
        if isinstance(type_, graphql.GraphQLScalarType):
            content = self.bad(type_.name, name)
            return st.one_of(content, content, content, *parts)
        return st.one_of(*parts)
