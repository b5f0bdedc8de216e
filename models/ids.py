"""Global IDs ("Type:key", base64): the API's opaque IDs, also kept in timelines."""

import base64


def global_id(type_name: str, pk: int) -> str:
    return base64.urlsafe_b64encode(f"{type_name}:{pk}".encode()).decode().rstrip("=")
