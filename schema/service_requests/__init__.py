"""Service requests (portal) and jobs: review lists, the job draft, decisions, the queue."""

from schema.service_requests.mutations import ServiceRequestMutations
from schema.service_requests.queries import ServiceRequestQueries
from schema.service_requests.subscriptions import ServiceRequestSubscriptions

__all__ = ["ServiceRequestMutations", "ServiceRequestQueries", "ServiceRequestSubscriptions"]
