"""The execution checks' comparison: equal answers, with the clock's second of slack."""

from __future__ import annotations

from fastpath import same_answer

_LINK = (
    "http://127.0.0.1:45059/docket-test-photos/account-requests/6/6cfcce6e?"
    "response-content-type=image%2Fjpeg&X-Amz-Algorithm=AWS4-HMAC-SHA256"
    "&X-Amz-Credential=testing%2F20261125%2Fus-east-1%2Fs3%2Faws4_request"
    "&X-Amz-Date={date}&X-Amz-Expires={expires}&X-Amz-SignedHeaders=host"
    "&X-Amz-Signature={signature}"
)


def _link(date: str, expires: int, signature: str, **changes: str) -> str:
    link = _LINK.format(date=date, expires=expires, signature=signature)
    for old, new in changes.items():
        link = link.replace(old, new)
    return link


def test_a_link_signed_a_second_later_for_the_same_expiry_is_the_same_answer() -> None:
    # (a CI run caught the two executions of one query either side of a second)
    earlier = _link("20261125T052252Z", 3727, "db1424e7")
    later = _link("20261125T052253Z", 3726, "75b238d0")
    assert same_answer({"url": earlier}, {"url": later})


def test_links_to_other_objects_or_expiries_are_different_answers() -> None:
    earlier = _link("20261125T052252Z", 3727, "db1424e7")
    assert not same_answer(earlier, _link("20261125T052253Z", 3726, "75b238d0", **{"/6/": "/7/"}))
    assert not same_answer(earlier, _link("20261125T052253Z", 3729, "75b238d0"))
    assert not same_answer(earlier, _link("20261125T052255Z", 3724, "75b238d0"))
    png = {"image%2Fjpeg": "image%2Fpng"}
    assert not same_answer(earlier, _link("20261125T052253Z", 3726, "75b238d0", **png))


def test_times_may_differ_by_less_than_a_second_and_nothing_else_may() -> None:
    assert same_answer("2026-11-25T05:22:52.100+00:00", "2026-11-25T05:22:52.900+00:00")
    assert not same_answer("2026-11-25T05:22:52+00:00", "2026-11-25T05:22:54+00:00")
    assert not same_answer("a", "b")
    assert not same_answer({"a": 1}, {"b": 1})
