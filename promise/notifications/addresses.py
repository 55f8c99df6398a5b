"""Where webhooks may go: the classification of the addresses a webhook
URL leads to, and the one resolution of its host that a send uses.

A tenant chooses the URL and promise-manager sends the request from
inside the control plane, so every address that is not globally routable
(the IANA special-purpose registries of both families: loopback, "this
host", RFC 1918, shared 100.64/10, link-local, unique-local, multicast,
documentation, benchmarking, reserved) is refused, and so is an IPv6
address that embeds such an IPv4 one (IPv4-mapped, 6to4, Teredo, NAT64).
Operators open narrow ranges with ``[notifications]
webhook_allowed_networks`` and close more with ``webhook_denied_networks``
(which wins).
"""

import ipaddress
import socket
import urllib.parse

# Ranges that ipaddress's is_global does not refuse in every Python
# version still supported, or that are special for webhooks anyway.
_EXTRA_V4 = [ipaddress.ip_network(n) for n in (
    '0.0.0.0/8', '10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8',
    '169.254.0.0/16', '172.16.0.0/12', '192.0.0.0/24', '192.0.2.0/24',
    '192.88.99.0/24', '192.168.0.0/16', '198.18.0.0/15',
    '198.51.100.0/24', '203.0.113.0/24', '224.0.0.0/4', '240.0.0.0/4')]
_EXTRA_V6 = [ipaddress.ip_network(n) for n in (
    '::/8', '100::/64', '2001::/23', '2001:db8::/32', '3fff::/20',
    '5f00::/16', 'fc00::/7', 'fe80::/10', 'fec0::/10', 'ff00::/8',
    '64:ff9b:1::/48')]
# IPv6 prefixes whose addresses carry an IPv4 address that decides.
_NAT64 = ipaddress.ip_network('64:ff9b::/96')
# Only 2000::/3 is allocated as global unicast (besides NAT64 above).
_GLOBAL_UNICAST = ipaddress.ip_network('2000::/3')


def _networks(cidrs):
    return [ipaddress.ip_network(c.strip(), strict=False)
            for c in cidrs or () if c and c.strip()]


def check_networks(allowed, denied):
    """ValueError naming the option of a value that is not a CIDR (at
    start, rather than at every send)."""
    for name, cidrs in (('webhook_allowed_networks', allowed),
                        ('webhook_denied_networks', denied)):
        try:
            _networks(cidrs)
        except ValueError as exc:
            raise ValueError('[notifications] %s: %s' % (name, exc))


def _inside(ip, nets):
    return any(ip.version == net.version and ip in net for net in nets)


def embedded_ipv4(ip):
    """The IPv4 addresses an IPv6 address carries (mapped, 6to4, Teredo
    server and client, NAT64), which are where packets end up."""
    if ip.version != 6:
        return []
    found = []
    if ip.ipv4_mapped is not None:
        found.append(ip.ipv4_mapped)
    if ip.sixtofour is not None:
        found.append(ip.sixtofour)
    if ip.teredo is not None:
        found.extend(ip.teredo)
    if ip in _NAT64:
        found.append(ipaddress.IPv4Address(int(ip) & 0xffffffff))
    return found


def special(ip):
    """Whether ``ip`` (an ipaddress object) is not a global unicast
    address, or leads to one that is not."""
    if ip.version == 6 and ip in _NAT64:
        # Translated to the IPv4 address it carries: that one decides.
        return special(embedded_ipv4(ip)[-1])
    if (not ip.is_global or ip.is_multicast or ip.is_reserved or
            ip.is_unspecified or ip.is_loopback or ip.is_link_local or
            ip.is_private):
        return True
    if ip.version == 4:
        return _inside(ip, _EXTRA_V4)
    if _inside(ip, _EXTRA_V6) or ip not in _GLOBAL_UNICAST:
        return True
    return any(special(v4) for v4 in embedded_ipv4(ip))


def parse(address):
    """An ipaddress object for an address string (a zone id dropped, an
    IPv4-mapped IPv6 address as the IPv4 one), or None."""
    try:
        ip = ipaddress.ip_address(str(address).split('%', 1)[0])
    except ValueError:
        return None
    if ip.version == 6 and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def refused(address, allowed=(), denied=()):
    """Why a webhook may not go to ``address`` (a string), or None.

    Denied networks win; then an allowed network opens a special address;
    the unspecified addresses (0.0.0.0, ::: "this host") never open.
    """
    ip = parse(address)
    if ip is None:
        return 'not an IP address'
    if _inside(ip, _networks(denied)):
        return 'in webhook_denied_networks'
    if ip.is_unspecified:
        return 'an unspecified address'
    if _inside(ip, [n for n in _networks(allowed) if n.prefixlen > 0]):
        return None
    if special(ip):
        return 'not a global address'
    return None


def host_and_port(url):
    """(host, port) of an http(s) URL; ValueError when it has none."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ('http', 'https') or not parts.hostname:
        raise ValueError('url must be an http:// or https:// URL with a '
                         'host.')
    port = parts.port or (443 if parts.scheme == 'https' else 80)
    return parts.hostname, port


def resolve(host, port):
    """[(family, sockaddr)] for TCP to ``host``; getaddrinfo, so that
    every form the system's resolver understands (2130706433, 0x7f.1,
    0177.0.0.1, 127.1, names from /etc/hosts...) is what it means.
    Raises OSError when the host does not resolve."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM,
                                   proto=socket.IPPROTO_TCP)
    except UnicodeError as exc:
        raise OSError(str(exc))
    seen, found = set(), []
    for family, _, _, _, sockaddr in infos:
        if (family, sockaddr) not in seen:
            seen.add((family, sockaddr))
            found.append((family, sockaddr))
    if not found:
        raise OSError('%s does not resolve' % host)
    return found


def first_refused(targets, allowed=(), denied=()):
    """(address, reason) of the first resolved target a webhook may not
    go to, or None: one bad address refuses the URL, whatever order a
    later connection would try them in."""
    for _, sockaddr in targets:
        reason = refused(sockaddr[0], allowed, denied)
        if reason is not None:
            return sockaddr[0], reason
    return None
