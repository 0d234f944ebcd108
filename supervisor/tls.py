"""The TLS context the workers serve with, built from the ``ssl`` settings (gunicorn's names).

The master builds it whenever it loads the config (at start, and again on HUP), so a missing or unreadable file,
a key that does not match its certificate or a cipher list OpenSSL refuses stops the start (or the reload) with
one line naming the setting, before any worker forks. Workers inherit the context through the fork: the key is
read with the master's privileges, before ``user``/``group`` take effect, and a HUP's new workers serve the
certificate files as they are at the HUP, while connections already open keep theirs.
"""

from __future__ import annotations

import ssl
from collections.abc import Mapping
from typing import Any

from .errors import ConfigError

__all__ = ["server_context"]

_VERIFY_MODES = {0: ssl.CERT_NONE, 1: ssl.CERT_OPTIONAL, 2: ssl.CERT_REQUIRED}


def server_context(values: Mapping[str, Any], origin: Mapping[str, str]) -> ssl.SSLContext | None:
    """The server-side context for ``values`` (resolved settings), or None when ``certfile`` is not set;
    raise :class:`ConfigError` naming the setting at fault and where it was set."""

    def fail(name: str, message: str) -> ConfigError:
        return ConfigError(f"{origin[name]}: {name}: {message}")

    certfile, keyfile, ca_certs = values["certfile"], values["keyfile"], values["ca_certs"]
    if certfile is None:
        for name in ("keyfile", "ca_certs", "ssl_ciphers", "cert_reqs"):
            if values[name]:
                raise fail(name, "needs certfile (TLS is off without a certificate)")
        return None
    for name, path in (("certfile", certfile), ("keyfile", keyfile), ("ca_certs", ca_certs)):
        if path is not None:
            _readable(path, lambda message, name=name: fail(name, message))
    if values["cert_reqs"] and ca_certs is None:
        # A server context trusts no CA by default (create_default_context loads the system's only to verify
        # servers): every client certificate would be refused.
        raise fail("cert_reqs", "needs ca_certs, the CAs that client certificates are verified against")
    # Purpose.CLIENT_AUTH: a server's context (PROTOCOL_TLS_SERVER) with Python's vetted defaults (no
    # compression, single-use DH/ECDH keys, server cipher preference). Client certificates are verified against
    # ca_certs alone, never the system's CAs.
    try:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, cafile=ca_certs)
    except ssl.SSLError as exc:
        raise fail("ca_certs", f"cannot load PEM CA certificates from {ca_certs!r}: {_reason(exc)}") from None
    # RFC 8996 deprecates TLS 1.0 and 1.1; RFC 9325 §3.1.1 asks servers for TLS 1.2 or newer.
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    try:
        # An empty password: an encrypted key fails here instead of prompting on the master's terminal.
        context.load_cert_chain(certfile, keyfile, password=b"")
    except ssl.SSLError as exc:
        if "KEY_VALUES_MISMATCH" in str(exc):
            raise fail("keyfile", f"the private key in {keyfile or certfile!r} does not match {certfile!r}") from None
        if not _has_certificate(certfile):
            raise fail("certfile", f"no PEM certificate in {certfile!r}") from None
        if keyfile is None:
            raise fail("certfile", f"no usable PEM private key in {certfile!r}; set keyfile") from None
        # OpenSSL says only "PEM lib" here: no key, a damaged one, or one encrypted with a passphrase.
        raise fail("keyfile", f"no usable PEM private key in {keyfile!r} (an encrypted key is not supported)") from None
    context.verify_mode = _VERIFY_MODES[values["cert_reqs"]]
    if values["ssl_ciphers"]:
        try:
            context.set_ciphers(values["ssl_ciphers"])
        except ssl.SSLError as exc:
            raise fail("ssl_ciphers", f"OpenSSL accepts none of {values['ssl_ciphers']!r}: {_reason(exc)}") from None
    return context


def _readable(path: str, fail: Any) -> None:
    try:
        with open(path, "rb") as f:
            f.read(1)
    except OSError as exc:
        raise fail(f"cannot read {path!r}: {exc.strerror}") from None


def _has_certificate(path: str) -> bool:
    with open(path, "rb") as f:
        return b"-----BEGIN CERTIFICATE-----" in f.read()


def _reason(exc: ssl.SSLError) -> str:
    return getattr(exc, "reason", None) or exc.strerror or str(exc)
