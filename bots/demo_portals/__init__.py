"""Bundled legacy web portals for demos, tests and benchmarks (ACME Buyer Portal and Globex
Supplier Hub) with realistic quirks and deterministic fault injection.

    server = serve_portals("127.0.0.1", 0, "portals.sqlite3", FaultConfig(session_ttl_s=60))
    ... server.base_url("acme") ... server.count("acme", "ack", "PO-1001") ...
    server.stop()
"""
from bots.demo_portals.app import PortalServer, create_app, serve_portals
from bots.demo_portals.state import FaultConfig, FaultRule, PortalDB

__all__ = ["FaultConfig", "FaultRule", "PortalDB", "PortalServer", "create_app", "serve_portals"]
