"""Who is asking, by network address: one answer for rate limits, throttles and logs."""

import ipaddress


def client_ip(request_or_scope) -> str:
    """REMOTE_ADDR (or the ASGI scope's client): X-Forwarded-For is client-controlled unless a trusted
    proxy rewrites it. IPv6 addresses count per /64, the block one household usually gets, so a
    client cannot dodge a limit by rotating through its own addresses."""
    if isinstance(request_or_scope, dict):
        raw = (request_or_scope.get("client") or ("unknown",))[0]
    else:
        raw = request_or_scope.META.get("REMOTE_ADDR", "unknown")
    try:
        address = ipaddress.ip_address(raw)
    except ValueError:
        return str(raw)[:64]
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False).network_address)
    return str(address)
