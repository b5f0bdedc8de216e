"""Input no operation can take, refused before it runs, with a coded error naming it.

Variables arrive as any JSON a client sends; a document's literals as any text.
Three kinds of value would only fail later, worse:

- lists longer than any input list may be (100 items, DESIGN §5);
- nesting deeper than any input type of the schema goes (the deepest is a few
  levels): walked recursively, a few hundred levels exhaust Python's stack;
- strings holding a NUL character, which PostgreSQL cannot store or compare
  (a search, a note, a cursor): the database error would reach the client as
  "Unexpected error".

Each is refused with `BAD_USER_INPUT` and the variable's path (`$filter.search`)
or the argument's name, the same way on every execution path.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    ArgumentNode,
    FloatValueNode,
    GraphQLError,
    IntValueNode,
    ObjectFieldNode,
    StringValueNode,
    ValidationRule,
)
from graphql.validation.validate import ValidationAbortedError

from models.validation import MAX_LIST_ITEMS

# Deeper than any input type of the schema nests (an input object holding a list
# of input objects is three levels).
MAX_DEPTH = 32
NUL = "\x00"


def refusal(variables: object) -> GraphQLError | None:
    """Why these variables cannot be taken, or None. Walks without recursion."""
    if not variables or _acceptable(variables):
        return None
    pending: list[tuple[object, str, int]] = [(variables, "$", 0)]
    while pending:
        value, path, depth = pending.pop()
        if depth > MAX_DEPTH:
            return _refused(f"`{_shown(path)}` is nested deeper than any input takes.", path)
        if isinstance(value, str):
            if NUL in value:
                return _refused(f"`{_shown(path)}` contains a NUL character (\\u0000).", path)
        elif isinstance(value, list):
            if len(value) > MAX_LIST_ITEMS:
                return _refused(f"Input lists take at most {MAX_LIST_ITEMS} items.", path)
            pending.extend((item, f"{path}[{n}]", depth + 1) for n, item in enumerate(value))
        elif isinstance(value, dict):
            joint = "" if path == "$" else "."
            pending.extend(
                (item, f"{path}{joint}{name}", depth + 1) for name, item in value.items()
            )
    return None


def _acceptable(variables: object) -> bool:
    """What `refusal` finds nothing in, known without making a path per value (every
    request with variables asks; only a refusal needs to name where)."""
    pending: list[tuple[object, int]] = [(variables, 0)]
    while pending:
        value, depth = pending.pop()
        if depth > MAX_DEPTH:
            return False
        if isinstance(value, str):
            if NUL in value:
                return False
        elif isinstance(value, list):
            if len(value) > MAX_LIST_ITEMS:
                return False
            pending.extend((item, depth + 1) for item in value)
        elif isinstance(value, dict):
            pending.extend((item, depth + 1) for item in value.values())
    return True


def _shown(path: str) -> str:
    return path if path != "$" else "variables"


def _refused(message: str, path: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": "BAD_USER_INPUT", "variable": _shown(path)})


class NoNulInStrings(ValidationRule):
    """A string literal of a document may not hold a NUL character (see above)."""

    def __init__(self, context: Any) -> None:
        super().__init__(context)
        self.names: list[str] = []  # the argument and input fields the walk is in

    def enter_argument(self, node: ArgumentNode, *_args: Any) -> None:
        self.names.append(node.name.value)

    def enter_object_field(self, node: ObjectFieldNode, *_args: Any) -> None:
        self.names.append(node.name.value)

    def leave_argument(self, *_args: Any) -> None:
        self.names.pop()

    leave_object_field = leave_argument

    def enter_string_value(self, node: StringValueNode, *_args: Any) -> None:
        if NUL in node.value:
            where = f"`{'.'.join(self.names)}`" if self.names else "A string"
            self.report_error(
                GraphQLError(
                    f"{where} contains a NUL character (\\u0000).",
                    node,
                    extensions={"code": "BAD_USER_INPUT"},
                )
            )


# Longer than any Int (11 characters) or useful Float: Python refuses int() of over
# 4,300 digits, which graphql-core's own rules would answer as a crash.
MAX_NUMBER_CHARS = 64


class NumbersThatFit(ValidationRule):
    """A number literal longer than any value an argument takes stops validation at
    once (this rule runs first): graphql-core would convert it and crash."""

    def enter_int_value(self, node: IntValueNode, *_args: Any) -> None:
        self._check(node)

    def enter_float_value(self, node: FloatValueNode, *_args: Any) -> None:
        self._check(node)

    def _check(self, node: IntValueNode | FloatValueNode) -> None:
        if len(node.value) > MAX_NUMBER_CHARS:
            raise ValidationAbortedError(
                f"A number literal of {len(node.value)} characters is larger than any "
                "argument takes.",
                node,
                extensions={"code": "BAD_USER_INPUT"},
            )
