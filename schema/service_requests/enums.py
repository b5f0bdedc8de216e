"""GraphQL enums of service requests and jobs, registered once before any type uses them."""

import strawberry

from models import service_requests as sr

strawberry.enum(sr.ServiceType, description="What kind of service is asked for.")
strawberry.enum(sr.Urgency, description="How urgent the customer says it is.")
strawberry.enum(sr.ServiceRequestStatus, description="PENDING, then APPROVED or DECLINED (final).")
strawberry.enum(
    sr.JobPriority, description="Job priority (urgency NORMAL -> MEDIUM, URGENT -> HIGH)."
)
strawberry.enum(sr.JobStatus, description="Where a job stands.")
strawberry.enum(
    sr.SlaRule,
    description="Which rule set a job's SLA due: GIVEN when approving, the customer's "
    "ACCOUNT_DEFAULT hours, the COMPANY_DEFAULT an admin turned on, or NONE (no deadline).",
)
