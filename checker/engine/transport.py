"""Opening a connection to the engine: its Unix socket, or TCP with TLS when the endpoint asks for it.

Shared by the two clients, checker/engine/readonly.py (GET only, for grading) and
checker/engine/helper_client.py (the helper's create, archive read and delete). A connection
carries no rights of its own: which requests go over it is each client's business.
"""
from __future__ import annotations

import socket

from checker.engine.endpoint import Endpoint
from checker.engine.wire import Connection, split_endpoint


def open_connection(endpoint: Endpoint, timeout: float | None) -> Connection:
    """A connection that opens its socket on first use; `timeout=None` waits forever (events)."""
    return Connection(lambda: open_socket(endpoint, timeout))


def open_socket(endpoint: Endpoint, timeout: float | None) -> socket.socket:
    scheme, address = split_endpoint(endpoint.host)
    if scheme == "unix":
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        try:
            sock.connect(address)
        except OSError:
            sock.close()
            raise
        return sock
    host, _, port = address.rpartition(":")
    tls = endpoint.tls_verify or scheme == "https"
    sock = socket.create_connection((host.strip("[]"), int(port or (2376 if tls else 2375))), timeout)
    if not tls:
        return sock
    import ssl           # TLS endpoints only: most learners talk to a local socket

    context = ssl.create_default_context(cafile=f"{endpoint.cert_path}/ca.pem"
                                         if endpoint.cert_path else None)
    if endpoint.cert_path:
        context.load_cert_chain(f"{endpoint.cert_path}/cert.pem", f"{endpoint.cert_path}/key.pem")
    try:
        return context.wrap_socket(sock, server_hostname=host.strip("[]"))
    except OSError:
        sock.close()
        raise
