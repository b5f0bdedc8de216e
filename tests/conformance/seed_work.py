"""The work part of the conformance seed: account requests with timelines, linked items
of every kind, photos, service requests with jobs, credit requests, payments and
notifications; all through the API, by the role that does each thing in real life."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from tests.photos.images import image_bytes
from tests.photos.operations import post_file

if TYPE_CHECKING:
    from tests.conformance.seed import Api, World

REQUEST = "accountRequest { id }"


async def _requests(api: Api, world: World, admin: str) -> None:
    """Requests in every status, assigned and not, by staff, manager and portal."""
    refs, users, tokens = world.refs, world.users, world.tokens

    async def create(token: str | None, **input: Any) -> str:
        payload = await api.mutate("createAccountRequest", token, REQUEST, **input)
        request_id: str = payload["accountRequest"]["id"]
        return request_id

    async def update(token: str | None, request_id: str, **changes: Any) -> None:
        await api.mutate("updateAccountRequest", token, REQUEST, id=request_id, **changes)

    main = await create(
        admin,
        accountId=refs["account"],
        typeId=refs["requestType"],
        contactId=refs["contact"],
        note="Invoice 1001 looks wrong",
    )
    refs["accountRequest"] = main
    await update(admin, main, assigneeId=users["technician"])
    await update(tokens["technician"], main, status="IN_PROGRESS")
    await update(admin, main, note="Invoice 1001 charges the March visit twice")
    await update(admin, main, typeId=refs["otherRequestType"])
    await update(admin, main, typeId=refs["requestType"], contactId=refs["secondContact"])
    await update(admin, main, contactId=refs["contact"])

    refs["unassignedRequest"] = await create(
        tokens["account_manager"],
        accountId=refs["subAccount"],
        typeId=refs["otherRequestType"],
        note="East yard gate is broken",
    )
    await update(admin, refs["unassignedRequest"], assigneeId=None)
    waiting = await create(
        admin,
        accountId=refs["account"],
        typeId=refs["otherRequestType"],
        assigneeId=users["dispatcher"],
        status="WAITING_ON_CUSTOMER",
        note="Waiting for the key",
    )
    done = await create(
        tokens["dispatcher"], accountId=refs["subSubAccount"], typeId=refs["requestType"]
    )
    await update(tokens["dispatcher"], done, status="COMPLETED")
    cancelled = await create(admin, accountId=refs["account"], typeId=refs["requestType"])
    await update(admin, cancelled, status="CANCELLED")
    refs["portalRequest"] = await create(
        tokens["portal_contact"], typeId=refs["requestType"], note="Please call me back"
    )
    refs["otherAccountRequest"] = await create(
        admin,
        accountId=refs["otherAccount"],
        typeId=refs["requestType"],
        assigneeId=users["technician"],
        contactId=refs["otherContact"],
        note="Globex wants a quote",
    )
    refs["waitingRequest"] = waiting


async def _items(api: Api, world: World, admin: str, today: date) -> None:
    """One item of every kind linked to the main request, plus unlinked ones for the
    picker; invoices open, overdue, paid and void for the balances."""
    refs, users, tokens = world.refs, world.users, world.tokens
    main = refs["accountRequest"]
    task = await api.mutate(
        "addTaskToAccountRequest",
        admin,
        "task { id }",
        accountRequestId=main,
        title="Check the March invoice",
        description="Compare with the visit log",
        assigneeId=users["technician"],
        dueAt=f"{today + timedelta(days=3)}T09:00:00+00:00",
    )
    refs["task"] = task["task"]["id"]
    appointment = await api.mutate(
        "addAppointmentToAccountRequest",
        tokens["dispatcher"],
        "appointment { id }",
        accountRequestId=main,
        startsAt=f"{today + timedelta(days=5)}T09:00:00+00:00",
        endsAt=f"{today + timedelta(days=5)}T10:30:00+00:00",
        siteId=refs["site"],
        assigneeId=users["technician"],
        notes="Bring the visit log",
    )
    refs["appointment"] = appointment["appointment"]["id"]
    record = await api.mutate(
        "createServiceRecord",
        admin,
        "serviceRecord { id }",
        accountId=refs["account"],
        serviceDate=str(today - timedelta(days=20)),
        description="Replaced the pump seal",
        siteId=refs["site"],
        performedById=users["technician"],
    )
    refs["serviceRecord"] = record["serviceRecord"]["id"]
    invoices: dict[str, str] = {}
    for name, issued, due, total in [
        ("invoice", today - timedelta(days=10), today + timedelta(days=20), "1200.00"),
        ("overdueInvoice", date(2020, 1, 1), date(2020, 1, 31), "300.50"),
        ("paidInvoice", today - timedelta(days=40), today - timedelta(days=10), "99.99"),
        ("voidInvoice", today - timedelta(days=5), today + timedelta(days=25), "10.00"),
    ]:
        payload = await api.mutate(
            "createInvoice",
            tokens["accounting"],
            "invoice { id }",
            accountId=refs["account"],
            number=f"INV-{len(invoices) + 1001}",
            issuedOn=str(issued),
            dueOn=str(due),
            total=total,
        )
        invoices[name] = refs[name] = payload["invoice"]["id"]
    await api.mutate(
        "recordInvoicePayment",
        tokens["accounting"],
        "invoice { id }",
        invoiceId=invoices["invoice"],
        amount="200.00",
        paidOn=str(today),
    )
    await api.mutate(
        "recordInvoicePayment",
        tokens["accounting"],
        "invoice { id }",
        invoiceId=invoices["paidInvoice"],
        amount="99.99",
        paidOn=str(today),
    )
    memo = await api.mutate(
        "createCreditMemo",
        tokens["accounting"],
        "creditMemo { id }",
        accountId=refs["account"],
        number="CM-1",
        issuedOn=str(today),
        amount="150.00",
        reason="Double charge in March",
    )
    refs["creditMemo"] = memo["creditMemo"]["id"]
    await api.mutate(
        "linkAccountRequestItems",
        admin,
        REQUEST,
        accountRequestId=main,
        itemIds=[
            refs["serviceRecord"],
            invoices["invoice"],
            invoices["voidInvoice"],
            refs["creditMemo"],
        ],
    )
    await api.mutate(
        "voidInvoice", tokens["accounting"], "invoice { id }", id=invoices["voidInvoice"]
    )
    spare = await api.mutate(
        "createTask",
        admin,
        "task { id }",
        accountId=refs["account"],
        title="Unlinked follow-up",
        assigneeId=users["dispatcher"],
    )
    refs["spareTask"] = spare["task"]["id"]
    await api.mutate(
        "addTaskToAccountRequest",
        admin,
        "task { id }",
        accountRequestId=refs["otherAccountRequest"],
        title="Quote for Globex",
    )


async def _photos(api: Api, world: World, admin: str) -> None:
    """Two READY photos on the main request (one shown in the portal) and one the
    portal contact added, uploaded the way the apps upload them."""
    refs, tokens = world.refs, world.tokens
    uploads = [
        ("photo", admin, "leak.jpg", "JPEG", "image/jpeg", True),
        ("hiddenPhoto", tokens["technician"], "meter.png", "PNG", "image/png", False),
        ("portalPhoto", tokens["portal_contact"], "gate.jpg", "JPEG", "image/jpeg", True),
    ]
    for ref, token, filename, kind, content_type, in_portal in uploads:
        data = image_bytes(kind, (64, 48))
        created = await api.mutate(
            "createPhotoUpload",
            token,
            "photo { id } uploadTarget { url fields { name value } }",
            accountRequestId=refs["accountRequest"],
            filename=filename,
            contentType=content_type,
            byteSize=len(data),
            description=f"{filename} on site",
            displayInPortal=in_portal,
        )
        sent = await post_file(created["uploadTarget"], data, filename, content_type)
        assert sent.status_code in (200, 201, 204), sent.text
        photo_id = created["photo"]["id"]
        await api.mutate("completePhotoUpload", token, "photo { id }", photoId=photo_id)
        refs[ref] = photo_id


async def _service_requests(api: Api, world: World, today: date) -> None:
    """Pending, approved (job assigned), approved (job cancelled) and declined."""
    refs, users, tokens = world.refs, world.users, world.tokens
    portal, dispatcher = tokens["portal_contact"], tokens["dispatcher"]
    submitted: dict[str, str] = {}
    for ref, service, urgency, site in [
        ("pendingServiceRequest", "REPAIR", "URGENT", refs["site"]),
        ("approvedServiceRequest", "MAINTENANCE", "NORMAL", refs["secondSite"]),
        ("cancelledServiceRequest", "INSPECTION", "NORMAL", refs["site"]),
        ("declinedServiceRequest", "INSTALLATION", "NORMAL", refs["site"]),
    ]:
        payload = await api.mutate(
            "submitServiceRequest",
            portal,
            "serviceRequest { id }",
            siteId=site,
            serviceType=service,
            description=f"{service.title()} needed at the site",
            urgency=urgency,
            preferredDate=str(today + timedelta(days=7)),
        )
        submitted[ref] = refs[ref] = payload["serviceRequest"]["id"]
    approved = await api.mutate(
        "approveServiceRequest",
        dispatcher,
        "job { id }",
        id=submitted["approvedServiceRequest"],
        job={
            "skills": ["pumps"],
            "parts": ["seal kit"],
            "assetIds": ["PUMP-7"],
            "priority": "HIGH",
        },
    )
    refs["job"] = approved["job"]["id"]
    await api.mutate(
        "assignJob", dispatcher, "job { id }", id=refs["job"], assigneeId=users["technician"]
    )
    cancelled = await api.mutate(
        "approveServiceRequest", dispatcher, "job { id }", id=submitted["cancelledServiceRequest"]
    )
    refs["cancelledJob"] = cancelled["job"]["id"]
    await api.mutate(
        "cancelJob", dispatcher, "job { id }", id=refs["cancelledJob"], reason="Duplicate"
    )
    await api.mutate(
        "declineServiceRequest",
        dispatcher,
        "serviceRequest { id }",
        id=submitted["declinedServiceRequest"],
        reason="We do not install that model",
    )


async def _credit(api: Api, world: World) -> None:
    """Accepted (Acme), rejected (Globex) and pending (Acme East) credit requests."""
    refs, tokens = world.refs, world.tokens
    asker, decider = tokens["project_manager"], tokens["credit_team"]
    ids: dict[str, str] = {}
    for ref, account, limit in [
        ("creditAccountRequest", refs["account"], "10000.00"),
        ("rejectedCreditRequest", refs["otherAccount"], "2500.00"),
        ("pendingCreditRequest", refs["subAccount"], "750.00"),
    ]:
        payload = await api.mutate(
            "requestCreditAccount",
            asker,
            "creditAccountRequest { id }",
            accountId=account,
            requestedLimit=limit,
            note=f"Credit for {ref}",
        )
        ids[ref] = refs[ref] = payload["creditAccountRequest"]["id"]
    await api.mutate(
        "acceptCreditAccountRequest",
        decider,
        "creditAccountRequest { id }",
        id=ids["creditAccountRequest"],
        note="Good payment history",
    )
    await api.mutate(
        "rejectCreditAccountRequest",
        decider,
        "creditAccountRequest { id }",
        id=ids["rejectedCreditRequest"],
        reason="No trading history",
    )


async def _lookups(api: Api, world: World, admin: str) -> None:
    """IDs only the API hands out: a timeline event, a notification, a page cursor;
    and one notification read so the inbox has both kinds."""
    refs = world.refs
    data = await api.run(
        """query SeedLookups($id: ID!) {
          node(id: $id) { ... on AccountRequest { timeline(last: 1) { nodes { id } } } }
          notifications(first: 1) { nodes { id } }
          accountRequests(first: 2) { pageInfo { endCursor } }
        }""",
        {"id": refs["accountRequest"]},
        admin,
    )
    refs["timelineEvent"] = data["node"]["timeline"]["nodes"][0]["id"]
    notifications = data["notifications"]["nodes"]
    assert notifications, "the admin should have been notified of something"
    refs["notification"] = notifications[0]["id"]
    refs["accountRequestsCursor"] = data["accountRequests"]["pageInfo"]["endCursor"]
    await api.mutate("markNotificationsRead", admin, "markedCount", ids=[refs["notification"]])


async def seed_work(api: Api, world: World, admin: str, today: date) -> None:
    """Everything after the company setup, in the order the work happens."""
    await _requests(api, world, admin)
    await _items(api, world, admin, today)
    await _photos(api, world, admin)
    await _service_requests(api, world, today)
    await _credit(api, world)
    await _lookups(api, world, admin)
