from __future__ import annotations

import asyncio
import copy
import ipaddress

import aiohttp
import pytest
from hypothesis import given
from hypothesis import strategies as st

from foxden.dispatch.outbound import (
    OutboundDenied,
    OutboundPolicy,
    PolicedResolver,
    check_url,
    denial,
)
from tests.support.resolvers import StubResolver

DEFAULT = OutboundPolicy()
LOOPBACK_ONLY = OutboundPolicy.parse(["127.0.0.1/32"])

DENIED = [
    "127.0.0.1",
    "10.1.2.3",
    "172.16.0.1",
    "192.168.1.1",
    "169.254.169.254",
    "0.0.0.0",  # noqa: S104 - an address judged, not one bound
    "::1",
    "fe80::1",
    "fc00::1",
    "::ffff:127.0.0.1",
    "::ffff:10.0.0.1",
    "224.0.0.1",
    # Beyond the obvious ones.
    "::",
    "fe80::1%eth0",
    "fec0::1",
    "ff02::1",
    "100.64.0.1",
    "100.100.100.200",
    "255.255.255.255",
    "240.0.0.1",
    "2002:7f00:1::",
    "2002:a00:1::",
    "::ffff:169.254.169.254",
    "2001:0:4136:e378:8000:63bf:3fff:fdd2",
    "64:ff9b::a00:1",
]
PERMITTED = ["8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "::ffff:8.8.8.8", "2002:808:808::"]
NOT_ADDRESSES = ["", "localhost", "127.1", "2130706433", "1.2.3.4.5", "::g", "[::1]", " 8.8.8.8"]


@pytest.mark.parametrize("address", DENIED)
def test_private_and_special_addresses_are_denied(address: str) -> None:
    assert not DEFAULT.permits(address)
    with pytest.raises(OutboundDenied) as raised:
        DEFAULT.check(address)
    assert raised.value.target == address
    assert str(raised.value).startswith(f"{address} is a")
    assert "denied by the outbound policy (FOXDEN_OUTBOUND_ALLOW)" in str(raised.value)


@pytest.mark.parametrize("address", PERMITTED)
def test_public_addresses_are_permitted(address: str) -> None:
    assert DEFAULT.permits(address)
    DEFAULT.check(address)


@pytest.mark.parametrize("address", NOT_ADDRESSES)
def test_what_is_not_an_address_is_denied(address: str) -> None:
    assert not DEFAULT.permits(address)
    assert not OutboundPolicy.parse(["0.0.0.0/0", "::/0"]).permits(address)


def test_the_message_names_the_address_and_why() -> None:
    with pytest.raises(OutboundDenied) as raised:
        DEFAULT.check("127.0.0.1")
    assert str(raised.value) == (
        "127.0.0.1 is a loopback address, denied by the outbound policy (FOXDEN_OUTBOUND_ALLOW)"
    )
    assert DEFAULT.reason("169.254.169.254") == (
        "is a link-local address, denied by the outbound policy (FOXDEN_OUTBOUND_ALLOW)"
    )
    assert DEFAULT.reason("::ffff:127.0.0.1") is not None
    assert "loopback" in str(DEFAULT.reason("::ffff:127.0.0.1"))
    assert DEFAULT.reason("8.8.8.8") is None


def test_the_exception_survives_copying() -> None:
    denied = OutboundDenied("10.0.0.1", "is a private address")
    copied = copy.deepcopy(denied)  # as pickling does: cls(*args)
    assert (copied.target, copied.reason, str(copied)) == (
        denied.target,
        denied.reason,
        str(denied),
    )


def test_the_allow_list_permits_exactly_its_networks() -> None:
    assert LOOPBACK_ONLY.permits("127.0.0.1")
    assert LOOPBACK_ONLY.permits("::ffff:127.0.0.1")
    assert not LOOPBACK_ONLY.permits("127.0.0.2")
    assert not LOOPBACK_ONLY.permits("::1")
    assert not LOOPBACK_ONLY.permits("10.0.0.1")
    assert LOOPBACK_ONLY.permits("8.8.8.8")
    wide = OutboundPolicy.parse(["10.0.0.0/8", "fd00::/8"])
    assert wide.permits("10.255.0.1")
    assert wide.permits("fd12::1")
    assert not wide.permits("192.168.0.1")
    assert not wide.permits("fc00::1")


def test_parse_reads_cidrs_and_bare_addresses() -> None:
    policy = OutboundPolicy.parse(["127.0.0.1", " 10.1.2.3/8 ", "::1", "fd00::/8"])
    assert policy.allow == (
        ipaddress.ip_network("127.0.0.1/32"),
        ipaddress.ip_network("10.0.0.0/8"),
        ipaddress.ip_network("::1/128"),
        ipaddress.ip_network("fd00::/8"),
    )
    assert OutboundPolicy.parse([]) == OutboundPolicy()


@pytest.mark.parametrize(
    "cidr", ["", "nonsense", "10.0.0.0/33", "256.0.0.1", "10.0.0.0/8/8", "::1/129", "localhost"]
)
def test_parse_refuses_garbage(cidr: str) -> None:
    with pytest.raises(ValueError, match="is not a CIDR"):
        OutboundPolicy.parse(["127.0.0.1/32", cidr])


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "https://127.0.0.1:8443/path?q=1",
        "http://user:secret@10.0.0.1:8080/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://[::1]:9000/",
        "http://[::ffff:127.0.0.1]/",
        "http://[fe80::1%25eth0]:80/",
        "http://0.0.0.0:8000/",
        # Legacy numeric forms that aiohttp treats as literals.
        "http://127.1/",
        "http://2130706433/",
        "http://0177.0.0.1/",
        "http://127.0.0.1./",
    ],
)
def test_check_url_refuses_denied_literals(url: str) -> None:
    with pytest.raises(OutboundDenied, match="denied by the outbound policy"):
        check_url(DEFAULT, url)


@pytest.mark.parametrize(
    "url",
    [
        "http://8.8.8.8/",
        "https://1.1.1.1:8443/hook",
        "http://[2606:4700:4700::1111]:8080/",
        "https://example.com/hook",
        "http://localhost:8000/",  # a name: judged once resolved
        "HTTPS://Example.COM/",
    ],
)
def test_check_url_passes_public_literals_and_names(url: str) -> None:
    check_url(DEFAULT, url)


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("ftp://8.8.8.8/", "is not an http or https URL"),
        ("file:///etc/passwd", "is not an http or https URL"),
        ("gopher://example.com/", "is not an http or https URL"),
        ("//example.com/", "is not an http or https URL"),
        ("example.com", "is not an http or https URL"),
        ("http:///path", "has no host"),
        ("http://[::1/", "is not a valid URL"),
    ],
)
def test_check_url_refuses_other_urls(url: str, why: str) -> None:
    with pytest.raises(OutboundDenied) as raised:
        check_url(OutboundPolicy.parse(["0.0.0.0/0", "::/0"]), url)
    assert raised.value.target == url
    assert raised.value.reason == why


def test_check_url_honours_the_allow_list() -> None:
    check_url(LOOPBACK_ONLY, "http://127.0.0.1:8000/")
    check_url(LOOPBACK_ONLY, "http://[::ffff:127.0.0.1]:8000/")
    with pytest.raises(OutboundDenied):
        check_url(LOOPBACK_ONLY, "http://127.0.0.2:8000/")
    with pytest.raises(OutboundDenied):
        check_url(LOOPBACK_ONLY, "http://[::1]:8000/")


networks = st.builds(
    lambda address, prefix: ipaddress.IPv4Network((address, prefix), strict=False),
    st.integers(min_value=0, max_value=2**32 - 1),
    st.integers(min_value=0, max_value=32),
)


@given(networks, st.data())
def test_any_address_in_an_allowed_network_is_permitted(
    network: ipaddress.IPv4Network, data: st.DataObject
) -> None:
    offset = data.draw(st.integers(min_value=0, max_value=network.num_addresses - 1))
    address = str(network.network_address + offset)
    assert OutboundPolicy.parse([str(network)]).permits(address)


@given(st.integers(min_value=0, max_value=2**24 - 1))
def test_no_address_in_ten_slash_eight_is_permitted_by_default(offset: int) -> None:
    address = ipaddress.IPv4Address("10.0.0.0") + offset
    assert not DEFAULT.permits(str(address))
    assert not DEFAULT.permits(f"::ffff:{address}")


def resolve(policy: OutboundPolicy, *addresses: str) -> list[str]:
    async def run() -> list[str]:
        resolver = PolicedResolver(policy, StubResolver(*addresses))
        return [result["host"] for result in await resolver.resolve("callback.test", 443)]

    return asyncio.run(run())


def test_the_resolver_drops_denied_addresses_and_keeps_the_order() -> None:
    assert resolve(DEFAULT, "10.0.0.1", "8.8.8.8", "::1", "1.1.1.1") == ["8.8.8.8", "1.1.1.1"]
    assert resolve(LOOPBACK_ONLY, "::1", "127.0.0.1") == ["127.0.0.1"]
    assert resolve(DEFAULT) == []


def test_the_resolver_refuses_a_name_with_only_denied_addresses() -> None:
    with pytest.raises(OutboundDenied) as raised:
        resolve(DEFAULT, "::1", "127.0.0.1", "127.0.0.1")
    assert raised.value.target == "callback.test"
    assert str(raised.value) == (
        "callback.test resolves only to addresses denied by the outbound policy"
        " (FOXDEN_OUTBOUND_ALLOW): ::1, 127.0.0.1"
    )


def test_the_resolver_closes_the_one_it_wraps() -> None:
    inner = StubResolver()

    async def run() -> None:
        await PolicedResolver(DEFAULT, inner).close()

    asyncio.run(run())
    assert inner.closed


def raised_while_handling(cause: Exception, outer: Exception, *, explicit: bool) -> Exception:
    """``outer``, raised while handling ``cause``: ``from`` it if explicit, else implicitly."""
    with pytest.raises(type(outer)) as raised:
        try:
            raise cause
        except Exception as inner:
            if explicit:
                raise outer from inner
            raise outer  # noqa: B904 - the implicit __context__ is the point
    return raised.value


def test_denial_finds_the_refusal_in_a_chain() -> None:
    denied = OutboundDenied("127.0.0.1", "is a loopback address")
    assert denial(denied) is denied
    assert denial(ValueError("unrelated")) is None
    explicit = raised_while_handling(denied, RuntimeError("outer"), explicit=True)
    assert denial(explicit) is denied
    implicit = raised_while_handling(denied, RuntimeError("outer"), explicit=False)
    assert denial(implicit) is denied
    deeper = raised_while_handling(explicit, ValueError("outermost"), explicit=False)
    assert denial(deeper) is denied
    assert denial(ExceptionGroup("deliveries", [ValueError("other"), denied])) is denied


def test_denial_looks_into_connector_errors() -> None:
    denied = OutboundDenied("callback.test", "resolves only to denied addresses")
    key = aiohttp.client_reqrep.ConnectionKey("callback.test", 80, False, True, None, None, None)
    error = aiohttp.ClientConnectorError(key, OSError(1, "refused"))
    assert denial(error) is None
    error.__cause__ = denied
    assert denial(error) is denied


def test_denial_survives_cycles() -> None:
    first, second = ValueError("a"), ValueError("b")
    first.__context__, second.__context__ = second, first
    assert denial(first) is None
