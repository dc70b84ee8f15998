"""Which ``notify_url`` a channel may name and a delivery may reach (``CRMLINK_NOTIFY_ALLOW``).

The setting is a comma-separated list of:

* ``public`` (the default): ``http``/``https`` to any host whose addresses are all public, i.e.
  not loopback, private (10/8, 172.16/12, 192.168/16, fc00::/7), link-local (169.254/16, where
  cloud metadata lives, fe80::/10), carrier-grade NAT, multicast, reserved or unspecified;
* ``loopback``: also 127.0.0.0/8 and ::1 (``crmlink serve --demo`` and the tests use it);
* ``any``: every http(s) URL (a closed network that trusts its subscribers);
* URL prefixes such as ``http://10.0.0.7:9000/hooks/``: URLs starting with one are allowed
  whatever their address.

Never allowed, whatever the setting: other schemes, URLs with credentials, and the server's own
origins (its ``host:port`` and ``api_domain``), so a subscriber cannot make the server call its
own API or admin endpoints. Names are checked as written when a channel is saved and as resolved
just before each delivery (a name that resolves to a private address is refused then).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

_CGNAT = ipaddress.ip_network("100.64.0.0/10")


@dataclass(frozen=True, slots=True)
class UrlPolicy:
    public: bool
    loopback: bool
    any: bool
    prefixes: tuple[str, ...]
    own_origins: frozenset[str]

    @staticmethod
    def parse(setting: str, own_origins: Iterable[str] = ()) -> UrlPolicy:
        parts = [p.strip() for p in setting.split(",") if p.strip()]
        words = {p.lower() for p in parts if "://" not in p}
        unknown = words - {"public", "loopback", "any"}
        if unknown:
            raise ValueError(f"CRMLINK_NOTIFY_ALLOW: unknown entries {sorted(unknown)}")
        return UrlPolicy(
            public="public" in words or "loopback" in words,
            loopback="loopback" in words,
            any="any" in words,
            prefixes=tuple(p for p in parts if "://" in p),
            own_origins=frozenset(_origin(o) for o in own_origins if o),
        )

    def check_url(self, url: str) -> str | None:
        """Why ``url`` may not be a notify_url (None: it may), judged on what is written."""
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError:
            return "not a URL"
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return "only http and https URLs with a host"
        if parts.username or parts.password:
            return "URLs with credentials are not allowed"
        default = 443 if parts.scheme == "https" else 80
        origin = f"{parts.hostname.lower()}:{port or default}"
        if origin in self.own_origins:
            return "the server's own address is not allowed"
        if self.any or any(url.startswith(p) for p in self.prefixes):
            return None
        host = parts.hostname.lower()
        if host == "localhost" or host.endswith(".localhost"):
            return None if self.loopback else "loopback addresses are not allowed"
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return None if self.public else "not allowed by CRMLINK_NOTIFY_ALLOW"
        return self.check_address(address)

    def check_resolved(self, url: str, addresses: Iterable[str]) -> str | None:
        """Why a delivery to ``url``, whose host resolved to ``addresses``, may not go."""
        reason = self.check_url(url)
        if reason is not None or self.any or any(url.startswith(p) for p in self.prefixes):
            return reason
        for raw in addresses:
            reason = self.check_address(ipaddress.ip_address(raw.split("%")[0]))
            if reason is not None:
                return reason
        return None

    def check_address(self, address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        if address.is_loopback:
            return None if self.loopback else "loopback addresses are not allowed"
        private = (
            address.is_private
            or address.is_link_local
            or address.is_multicast
            or address.is_reserved
            or address.is_unspecified
            or (isinstance(address, ipaddress.IPv4Address) and address in _CGNAT)
        )
        if private:
            return "private addresses are not allowed"
        return None if self.public else "not allowed by CRMLINK_NOTIFY_ALLOW"


def _origin(url_or_host: str) -> str:
    """``host:port`` of a URL (or of ``host:port`` as given)."""
    text = url_or_host if "://" in url_or_host else f"http://{url_or_host}"
    parts = urlsplit(text)
    default = 443 if parts.scheme == "https" else 80
    return f"{(parts.hostname or '').lower()}:{parts.port or default}"
