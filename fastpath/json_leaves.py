"""SQL writing one leaf of a GraphQL answer as JSON, from a column (the JSON lane).

Each writer gives the SQL of a value exactly as the answer writes the leaf: strings and
numbers as they are, times as `isoformat()` writes them in UTC, dates, decimals as the
`Decimal` scalar writes them, enum values by their GraphQL names, keys as global IDs, a
JSONB column's list of strings as it is; None where it cannot (the caller then leaves
the object to the usual way). A value the standard way would refuse stops the
statement instead (`fail_sql`).
"""

from __future__ import annotations

import base64
import functools
from typing import Any

from tortoise.fields.data import (
    BooleanField,
    CharEnumFieldInstance,
    CharField,
    DateField,
    DatetimeField,
    DecimalField,
    IntField,
    JSONField,
    SmallIntField,
    TextField,
)
from tortoise.models import Model

from fastpath.narrow import GLOBAL_ID, _utc_default
from fastpath.plans import Completer, FieldPlan


def leaf_sql(
    model: type[Model], attribute: str, column: str, field_plan: FieldPlan, id_of: str | None
) -> str | None:
    """The SQL writing a column as the GraphQL answer writes the leaf, or None."""
    completer = field_plan.completer
    if completer is None or (completer.leaf is None) == (completer.item is None):
        return None
    definition = model._meta.fields_map.get(attribute)
    if definition is None:
        return None
    if completer.item is not None:
        value = list_value(completer.item, definition, column) if id_of is None else None
    else:
        value = leaf_value(completer, definition, column, id_of)
    if value is None:
        return None
    if completer.non_null and definition.null:
        return None  # a null would be an error the standard way
    return value


def leaf_value(completer: Completer, definition: Any, column: str, id_of: str | None) -> str | None:
    name = completer.leaf.name
    if id_of is not None:
        if name != "ID" or not isinstance(definition, (IntField, SmallIntField)):
            return None
        if not _global_ids_match():
            return None
        return global_id_sql(id_of, column)
    if completer.enum is not None:
        if not isinstance(definition, CharEnumFieldInstance) or completer.names is None:
            return None
        if definition.enum_type is not completer.enum:
            return None
        cases = " ".join(
            f"WHEN {literal(member.value)} THEN {literal(completer.names[member])}"
            for member in completer.enum
            if member in completer.names
        )
        # A value the enum does not know is an error the standard way: stop here too.
        return (
            f"CASE WHEN {column} IS NULL THEN NULL"
            f" ELSE CASE {column} {cases} ELSE {fail_sql(column)} END END"
        )
    kinds: dict[str, tuple[type, ...]] = {
        "String": (CharField, TextField),
        "Int": (IntField, SmallIntField),
        "Boolean": (BooleanField,),
    }
    if (
        name in kinds
        and isinstance(definition, kinds[name])
        and not isinstance(definition, CharEnumFieldInstance)
    ):
        return column
    if name == "Decimal" and isinstance(definition, DecimalField):
        # As str() writes the Decimal Tortoise quantized to the field's places (never
        # with an exponent for six places or fewer), the column's own scale.
        places, digits = definition.decimal_places, definition.max_digits
        return f"({column})::numeric({digits}, {places})::text" if places <= 6 else None
    if name == "DateTime" and isinstance(definition, DatetimeField) and _utc_default():
        return iso_time(column)
    if (
        name == "Date"
        and isinstance(definition, DateField)
        and not isinstance(definition, DatetimeField)
    ):
        return f"to_char({column}, 'YYYY-MM-DD')"
    return None


def list_value(item: Completer, definition: Any, column: str) -> str | None:
    """A JSON column holding a list of strings, as a `[String]` leaf writes it: the
    array as it is; anything else (SQL or JSON null, another JSON type, an item of
    another type) stops the statement, so the request goes the standard way, which
    answers or refuses it as it always does (`list(None)` is an error there, a
    number's text is not the same JSON)."""
    if item.leaf is None or item.item is not None or item.enum is not None:
        return None
    if item.leaf.name != "String" or not isinstance(definition, JSONField):
        return None
    if str(definition.get_for_dialect("postgres", "SQL_TYPE")).upper() != "JSONB":
        return None
    kinds = "'string'" if item.non_null else "'string', 'null'"
    return (
        f"CASE WHEN jsonb_typeof({column}) = 'array' AND NOT EXISTS (SELECT FROM"
        f" jsonb_array_elements({column}) e_ WHERE jsonb_typeof(e_) NOT IN ({kinds}))"
        f" THEN {column} ELSE {fail_sql(column)}::jsonb END"
    )


def iso_time(column: str) -> str:
    """A timestamptz as Python's isoformat() writes an aware UTC time (no fraction when
    it is zero), which is how the DateTime scalar serializes."""
    return (
        f"CASE WHEN {column} IS NULL THEN NULL ELSE"
        f" to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS')"
        f" || CASE WHEN date_part('microseconds', {column})::bigint % 1000000 = 0 THEN ''"
        f" ELSE to_char({column} AT TIME ZONE 'UTC', '.US') END || '+00:00' END"
    )


@functools.cache
def _global_id_prefix(type_name: str) -> str:
    return literal(f"{type_name}:")


def _global_ids_match() -> bool:
    """Does the domain write global IDs as this module's SQL does (unpadded URL-safe
    base64 of `Type:key`)? Checked on a few keys; any other scheme is not covered."""
    encode = GLOBAL_ID.encode
    if encode is None:
        return False
    for key in (1, 12, 123, 1234567, 2147483647):
        written = base64.urlsafe_b64encode(f"Probe:{key}".encode()).decode().rstrip("=")
        if encode("Probe", key) != written:
            return False
    return True


def global_id_sql(type_name: str, column: str) -> str:
    """The global ID of a key, as `GLOBAL_ID.encode` writes it (checked when compiled)."""
    return (
        f"rtrim(translate(encode(convert_to({_global_id_prefix(type_name)} || {column},"
        " 'UTF8'), 'base64'), E'+/\\n', '-_'), '=')"
    )


def fail_sql(column: str) -> str:
    """An expression that stops the statement (division by zero, not folded while
    planning because it reads the row), so the request runs the standard way."""
    return f"(1 / (0 * length(coalesce(({column})::text, ''))))::text"


def literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
