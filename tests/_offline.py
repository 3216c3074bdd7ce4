"""Code that makes a Python process refuse every connection and DNS lookup off loopback.

Run first in the notebooks' kernels and in the README's snippets (``exec(GUARD)``); afterwards
``_offline_blocked`` lists what was refused, so a test can assert the code stayed on the machine.
"""

GUARD = """
import ipaddress as _ipaddress
import socket as _socket

_offline_blocked = []
_local_names = {"localhost", _socket.gethostname()}
_real_connect, _real_connect_ex = _socket.socket.connect, _socket.socket.connect_ex
_real_getaddrinfo = _socket.getaddrinfo


def _is_ip(host):
    try:
        return _ipaddress.ip_address(str(host).split("%")[0])
    except ValueError:
        return None


def _offline_check(sock, address):
    if sock.family in (_socket.AF_INET, _socket.AF_INET6) and sock.type == _socket.SOCK_STREAM:
        ip = _is_ip(address[0])
        if ip is None or not ip.is_loopback:
            _offline_blocked.append(repr(address))
            raise OSError(f"offline notebook test: connection to {address!r} refused")


def _guarded_connect(self, address):
    _offline_check(self, address)
    return _real_connect(self, address)


def _guarded_connect_ex(self, address):
    _offline_check(self, address)
    return _real_connect_ex(self, address)


def _guarded_getaddrinfo(host, *args, **kwargs):
    if host is not None and _is_ip(host) is None and str(host) not in _local_names:
        _offline_blocked.append(f"DNS {host}")
        raise OSError(f"offline notebook test: DNS lookup of {host!r} refused")
    return _real_getaddrinfo(host, *args, **kwargs)


_socket.socket.connect = _guarded_connect
_socket.socket.connect_ex = _guarded_connect_ex
_socket.getaddrinfo = _guarded_getaddrinfo
"""
