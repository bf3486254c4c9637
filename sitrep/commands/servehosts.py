"""Which Host names `sitrep serve` answers: its defence against DNS rebinding, on every address.

A web page elsewhere can make its reader's browser send requests to the server under a name its
author controls (evil.example, made to resolve first to their own server, then to 127.0.0.1 or to
the machine's LAN address): the browser then takes the report for evil.example's own page and lets
that page read it, restricted facts and all. What gives such a request away is its Host header,
which still names the attacker's domain. So serve answers a request only when its Host is

- an IP address, any of them: a browser sends an address as Host only when an address is what
  it was asked to open, and then no DNS answer is involved that an attacker could change;
- `localhost` or a name under `.localhost`, which browsers resolve to loopback by themselves
  (RFC 6761) without asking DNS;
- the name given to `--host`, or a name given to `--allow-host` (`.example.org` allows that domain
  and every name under it), which the user chose to trust.

That is what mature development servers decide (Vite's `server.allowedHosts`, webpack-dev-server's
`allowedHosts: 'auto'`, Django's `ALLOWED_HOSTS`), and it holds whatever address serve listens on:
127.0.0.1, another loopback address, ::1, 0.0.0.0, :: or a LAN address alike.
"""

from __future__ import annotations

import ipaddress
import re

from sitrep.errors import Problem, SitrepError

# A DNS name as a browser sends it: labels of letters, digits, '-' and '_', joined by dots.
HOST_NAME = re.compile(r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*")
PORT = re.compile(r":\d{1,5}")


def is_address(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def requested_name(host_header: str | None) -> str | None:
    """The name or address a Host header asks for, lower case and without its port (or a final
    dot, which names the same host); None when there is none or it is malformed."""
    if not host_header:
        return None
    value = host_header.strip().lower()
    if value.startswith("["):  # an IPv6 address, [::1]:8000
        address, bracket, rest = value[1:].partition("]")
        if not bracket or (rest and not PORT.fullmatch(rest)) or ":" not in address:
            return None
        return address if is_address(address) else None
    if is_address(value):  # ::1 sent without its brackets
        return value
    name, colon, port = value.partition(":")
    if colon and not PORT.fullmatch(colon + port):
        return None
    name = name[:-1] if name.endswith(".") else name
    return name if is_address(name) or HOST_NAME.fullmatch(name) else None


def allowed_name(value: str, option: str = "--allow-host") -> str:
    """A name the user allows, checked: 'laptop.local', or '.example.org' for the domain and
    every name under it. Raises SitrepError naming the option."""
    name = value.strip().lower()
    bare = name[1:] if name.startswith(".") else name
    if not HOST_NAME.fullmatch(bare) and not is_address(bare):
        raise SitrepError(Problem(option, 0, f"{value!r} is not a host name",
                                  expected="a name such as laptop.local, or .example.org for that domain "
                                           "and every name under it"))
    return name


class AllowedHosts:
    """The Host names one server answers to (see the module's docstring)."""

    def __init__(self, listen_host: str, allowed: tuple[str, ...] | list[str] = ()):
        names = [allowed_name(value) for value in allowed]
        listen = listen_host.strip().lower()
        if listen and not is_address(listen.strip("[]")) and HOST_NAME.fullmatch(listen):
            names.append(listen)  # --host laptop.lan: the name it was started with
        self.names = frozenset(name for name in names if not name.startswith("."))
        self.domains = tuple(name for name in names if name.startswith("."))

    def allows(self, host_header: str | None) -> bool:
        name = requested_name(host_header)
        if name is None:
            return False
        if is_address(name) or name == "localhost" or name.endswith(".localhost"):
            return True
        return name in self.names or any(name == domain[1:] or name.endswith(domain) for domain in self.domains)

    @staticmethod
    def name_to_allow(host_header: str | None) -> str | None:
        """The name a refused request asked for, fit to be shown (a well-formed host name), else None."""
        return requested_name(host_header)
