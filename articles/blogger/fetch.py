"""Download a picture from the old blog without letting the import reach inside our network.

Every address a host name resolves to is checked (loopback, private, link-local,
reserved, multicast and unspecified addresses are refused), the connection then goes to
that checked address (so a second DNS answer can't swap it), and each redirect is
checked the same way. Time and size are capped. urllib and requests resolve names
themselves, which would leave that gap, hence http.client here.
"""

import http.client
import ipaddress
import socket
import ssl
import time
from urllib.parse import urljoin, urlsplit

MAX_REDIRECTS = 5


class FetchRefused(Exception):
    """The address is not allowed (private network, odd scheme); nothing was sent."""


class FetchFailed(Exception):
    """The picture could not be fetched (404, timeout, too big...)."""


def is_public(address):
    ip = ipaddress.ip_address(address)
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_reserved
        or ip.is_multicast
        or ip.is_unspecified
        or not ip.is_global
    )


def resolve(host, port, allow_private):
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise FetchFailed(f"the host {host} could not be found ({error})") from None
    addresses = [info[4][0] for info in infos]
    if not allow_private:
        refused = [a for a in addresses if not is_public(a)]
        if refused:
            raise FetchRefused(f"{host} is a private or reserved address ({refused[0]})")
    return addresses[0]


class _PinnedHTTP(http.client.HTTPConnection):
    def __init__(self, host, address, port, timeout):
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self):
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, host, address, port, timeout):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self.address = address

    def connect(self):
        sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def fetch(url, *, allow_private=False, timeout=10, max_bytes=5 * 1024 * 1024):
    """The body of `url` (following up to five redirects), or FetchRefused / FetchFailed."""
    deadline = time.monotonic() + timeout * 3
    for _ in range(MAX_REDIRECTS + 1):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise FetchRefused(f"not a web address: {url[:100]}")
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            raise FetchRefused(f"not a valid port in {url[:100]}") from None
        address = resolve(parts.hostname, port, allow_private)
        connection_class = _PinnedHTTPS if parts.scheme == "https" else _PinnedHTTP
        connection = connection_class(parts.hostname, address, port, timeout)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        try:
            connection.request(
                "GET",
                path,
                headers={"User-Agent": "FibroSite Blogger importer", "Accept": "image/*"},
            )
            response = connection.getresponse()
            if response.status in (301, 302, 303, 307, 308) and response.getheader("Location"):
                url = urljoin(url, response.getheader("Location"))
                continue
            if response.status != 200:
                raise FetchFailed(f"the server answered {response.status}")
            length = response.getheader("Content-Length")
            if length and length.isdigit() and int(length) > max_bytes:
                raise FetchFailed(f"too large ({int(length) // 1024} KB)")
            chunks, size = [], 0
            while chunk := response.read(64 * 1024):
                size += len(chunk)
                if size > max_bytes:
                    raise FetchFailed(f"too large (over {max_bytes // 1024} KB)")
                if time.monotonic() > deadline:
                    raise FetchFailed("too slow (timed out)")
                chunks.append(chunk)
            return b"".join(chunks)
        except TimeoutError:
            raise FetchFailed("timed out") from None
        except (OSError, http.client.HTTPException) as error:
            raise FetchFailed(f"could not connect ({error.__class__.__name__})") from None
        finally:
            connection.close()
    raise FetchFailed("too many redirects")
