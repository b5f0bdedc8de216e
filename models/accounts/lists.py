"""Filtering and ordering account lists."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from models.directory.accounts import Account
from models.validation import search_term


class AccountOrderField(str, Enum):
    NAME = "NAME"
    NUMBER = "NUMBER"
    CREATED_AT = "CREATED_AT"
    UPDATED_AT = "UPDATED_AT"


@dataclass
class AccountFilter:
    search: str | None = None
    is_active: bool | None = None
    manager_ids: list[int] | None = None
    without_manager: bool | None = None
    parent_ids: list[int] | None = None
    top_level_only: bool | None = None


def filter_accounts(query: QuerySet[Account], spec: AccountFilter) -> QuerySet[Account]:
    if term := search_term(spec.search):
        query = query.filter(Q(name__icontains=term) | Q(number__icontains=term))
    if spec.is_active is not None:
        query = query.filter(is_active=spec.is_active)
    if spec.manager_ids is not None:
        query = query.filter(manager_id__in=spec.manager_ids)
    if spec.without_manager is not None:
        query = query.filter(manager_id__isnull=spec.without_manager)
    if spec.parent_ids is not None:
        query = query.filter(parent_id__in=spec.parent_ids)
    if spec.top_level_only:
        query = query.filter(parent_id__isnull=True)
    return query


def order_accounts(
    query: QuerySet[Account], field: AccountOrderField, descending: bool
) -> QuerySet[Account]:
    column = {
        AccountOrderField.NAME: "name",
        AccountOrderField.NUMBER: "number",
        AccountOrderField.CREATED_AT: "created_at",
        AccountOrderField.UPDATED_AT: "updated_at",
    }[field]
    sign = "-" if descending else ""
    return query.order_by(f"{sign}{column}", f"{sign}id")
