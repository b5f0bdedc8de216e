"""`fastpath.rows.fetch` builds exactly the models `await query` builds, for every model."""

from __future__ import annotations

from typing import Any

from tortoise import Tortoise

from fastpath.rows import column_reader, fetch
from fastpath.statements import columns_by_ids
from models.demo import seed_demo
from tests.factories import make_account, make_contact


def model_state(row: Any) -> str:
    # repr shows each value's type and time zone, which == on datetimes would not.
    return repr(sorted(vars(row).items()))


async def test_fetch_answers_like_tortoise_for_every_model() -> None:
    # given the demo company, and a contact with most optional fields empty
    await seed_demo()
    await make_contact(await make_account())
    compared: list[str] = []
    for model in Tortoise.apps["models"].values():
        pk = model._meta.pk_attr
        # when each model's rows are read both ways
        expected = await model.all().order_by(pk)
        got = await fetch(model.all().order_by(pk))
        # then the models are the same, value for value and type for type
        assert [model_state(row) for row in got] == [model_state(row) for row in expected], model
        if expected:
            compared.append(model.__name__)
    assert {"Account", "AccountRequest", "Contact", "User", "ServiceRequest"} <= set(compared)


async def test_queries_it_does_not_cover_are_awaited_as_they_are() -> None:
    # given an account and a contact of it
    from models.accounts import Contact

    contact = await make_contact(await make_account())
    # when a query with select_related or a single row is fetched
    related = await fetch(Contact.filter(id=contact.id).select_related("account"))
    # then Tortoise's own path answered, related rows included
    assert [row.id for row in related] == [contact.id]
    assert related[0].account.id == contact.account_id


async def test_a_column_read_alone_converts_as_the_model_does() -> None:
    # given the demo company's rows of every model
    await seed_demo()
    await make_contact(await make_account())
    for model in Tortoise.apps["models"].values():
        meta = model._meta
        rows = await model.all().order_by(meta.pk_attr).limit(20)
        if not rows:
            continue
        attributes = [name for name in meta.fields_db_projection if name in meta.fields_map]
        readers = {name: column_reader(model, name) for name in attributes}
        assert all(readers.values()), model
        columns = tuple(dict.fromkeys(reader[0] for reader in readers.values() if reader))
        # when each column is read on its own (as schema.narrow does)
        records = await columns_by_ids(model, columns).records([row.pk for row in rows])
        by_key = {record[meta.db_pk_column]: record for record in records}
        # then every value is the model's attribute, value for value and type for type
        for row in rows:
            record = by_key[row.pk]
            for name, reader in readers.items():
                assert reader is not None
                column, convert = reader
                got = convert(record[column])
                assert repr(got) == repr(getattr(row, name)), (model, name)
