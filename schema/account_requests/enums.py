"""GraphQL enums of account requests, registered once before any type uses them."""

import strawberry

from models import account_requests as requests

strawberry.enum(requests.RequestStatus, description="Where an account request stands.")
strawberry.enum(requests.RequestSource, description="Who raised an account request.")
strawberry.enum(requests.EventKind, description="What a timeline event records.")
strawberry.enum(requests.RequestOrderField, description="What to sort account requests by.")
