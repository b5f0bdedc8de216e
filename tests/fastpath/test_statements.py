"""`fastpath.statements`: SQL written once answers exactly as Tortoise's own queries."""

from __future__ import annotations

from tortoise import Tortoise

from fastpath.rows import is_plain
from fastpath.statements import Select, by_ids
from models.accounts import Account
from models.demo import seed_demo
from tests.factories import make_account, make_contact
from tests.fastpath.test_rows import model_state


async def test_rows_by_id_answer_like_tortoise_for_every_model() -> None:
    # given the demo company, and a contact with most optional fields empty
    await seed_demo()
    await make_contact(await make_account())
    compared: list[str] = []
    for model in Tortoise.apps["models"].values():
        keys = [row.pk for row in await model.all().order_by(model._meta.pk_attr).limit(5)]
        if not keys or not isinstance(keys[0], int):
            continue
        # when the same rows are read by ID both ways (one ID unknown)
        expected = await model.filter(pk__in=keys)
        got = await by_ids(model).rows([*keys, 10**9])
        # then the models are the same, value for value and type for type
        assert sorted(map(model_state, got)) == sorted(map(model_state, expected)), model
        compared.append(model.__name__)
    assert {"Account", "AccountRequest", "Contact", "User", "ServiceRequest"} <= set(compared)


async def test_parameters_lists_and_limits() -> None:
    # given three accounts, one inactive
    first, second = await make_account(name="First"), await make_account(name="Second")
    await make_account(name="Gone", active=False)
    active = Select(Account, "is_active = {} AND id IN ({})", limit=1)
    # when statements run with a value and a list, with a limit and with no key
    # then each answers what its SQL says
    assert len(await active.rows(True, [first.id, second.id])) == 1
    assert [row.name for row in await by_ids(Account).rows([second.id, first.id])] in (
        ["First", "Second"],
        ["Second", "First"],
    )
    assert await by_ids(Account).rows([]) == []
    assert await active.first(False, [first.id]) is None


async def test_only_a_fresh_all_is_plain() -> None:
    # given a table's every row, and queries narrowed in each way a loader might
    narrowed = [
        Account.filter(id=1),
        Account.all().order_by("name"),
        Account.all().limit(3),
        Account.all().offset(3),
        Account.all().select_related("parent"),
        Account.all().only("id", "name"),
        Account.all().distinct(),
        Account.exclude(is_active=False),
    ]
    # then only the first is read by SQL written once
    assert is_plain(Account.all())
    assert not any(is_plain(query) for query in narrowed)
