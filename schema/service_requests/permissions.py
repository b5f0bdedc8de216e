"""Who reviews service requests, and who else may list them."""

from api.permissions import requires
from models.permissions import Permission

CanReview = requires(Permission.REVIEW_SERVICE_REQUESTS)
CanReviewOrPortal = requires(Permission.REVIEW_SERVICE_REQUESTS, or_portal_contact=True)
