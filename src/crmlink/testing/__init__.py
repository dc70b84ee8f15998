"""crmlink inside a test suite: a server you own, an org per test, faults, clock, request log.

``crmlink.testing.pytest_plugin`` is registered with pytest (the ``pytest11`` entry point), so
installing crmlink gives every test suite the ``crmlink_server`` and ``crm`` fixtures; the
classes here work without pytest too (``CrmlinkServer.start()``, ``server.new_org()``).
"""

from crmlink.testing.harness import CrmlinkServer, CrmOrg, Faults, OrgClock

__all__ = ["CrmOrg", "CrmlinkServer", "Faults", "OrgClock"]
