"""TLS on the ``prefork`` command (``--certfile`` and gunicorn's other ssl settings): real masters serving
tests/supervisor/apps/tls_app.py, real clients (the aiohttp client, curl, ``openssl s_client``, raw sockets),
certificates from trustme."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest
import trustme
from masters import APPS, in_thread

APP = "tls_app:create_app"


class Certs:
    """A CA, a server certificate for 127.0.0.1 written as cert.pem and key.pem, and the CA as ca.pem."""

    def __init__(self, directory: Path) -> None:
        self.dir = directory
        self.ca = trustme.CA()
        self.cert = self.dir / "cert.pem"
        self.key = self.dir / "key.pem"
        self.ca_file = self.dir / "ca.pem"
        self.ca.cert_pem.write_to_path(str(self.ca_file))
        self.issue("first")

    def issue(self, name: str) -> None:
        """Write a new server certificate whose subject's common name is ``name`` over cert.pem and key.pem."""
        server = self.ca.issue_cert("127.0.0.1", "localhost", common_name=name)
        server.cert_chain_pems[0].write_to_path(str(self.cert))
        server.private_key_pem.write_to_path(str(self.key))

    def args(self) -> list[str]:
        return ["--certfile", str(self.cert), "--keyfile", str(self.key)]

    def client_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(cafile=str(self.ca_file))
        return context


@pytest.fixture
def certs(tmp_path):
    directory = tmp_path / "certs"
    directory.mkdir()
    return Certs(directory)


async def fetch(port: int, context: ssl.SSLContext) -> str:
    """GET / over https with the aiohttp client."""
    async with (
        aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=context)) as session,
        session.get(f"https://127.0.0.1:{port}/", timeout=aiohttp.ClientTimeout(total=10)) as response,
    ):
        assert response.status == 200
        return await response.text()


async def served_name(port: int, context: ssl.SSLContext) -> str:
    """The common name of the certificate the server presents."""
    _, writer = await asyncio.open_connection("127.0.0.1", port, ssl=context, server_hostname="127.0.0.1")
    try:
        cert = writer.get_extra_info("peercert")
        return dict(item for rdn in cert["subject"] for item in rdn)["commonName"]
    finally:
        writer.close()
        await writer.wait_closed()


def s_client(port: int, *options: str) -> str:
    done = subprocess.run(
        ["openssl", "s_client", "-connect", f"127.0.0.1:{port}", *options],
        input=b"",
        capture_output=True,
        timeout=20,
    )
    return (done.stdout + done.stderr).decode(errors="replace")


async def test_serves_https_to_the_aiohttp_client_and_curl(prefork, certs):
    prefork.start("-w", "1", *certs.args(), app=APP, wait=1)
    scheme, secure, cn, _ = (await fetch(prefork.port, certs.client_context())).split()
    assert (scheme, secure, cn) == ("https", "True", "-")  # request.scheme, request.secure, no client certificate
    curl = await asyncio.create_subprocess_exec(
        *("curl", "-sS", "--cacert", str(certs.ca_file), f"https://127.0.0.1:{prefork.port}/"),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    async with asyncio.timeout(20):
        out, err = await curl.communicate()
    assert curl.returncode == 0, err
    assert out.startswith(b"https True - ")
    assert f"listening at https://127.0.0.1:{prefork.port}" in prefork.log()
    assert "Traceback" not in prefork.log() and "WARNING" not in prefork.log()


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl s_client")
def test_tls_1_2_and_1_3_are_accepted_and_1_1_refused(prefork, certs):
    prefork.start("-w", "1", *certs.args(), app=APP, wait=1)
    ca = ["-CAfile", str(certs.ca_file), "-verify_return_error"]
    for version, protocol in (("-tls1_2", "TLSv1.2"), ("-tls1_3", "TLSv1.3")):
        out = s_client(prefork.port, version, *ca)
        assert f"New, {protocol}, Cipher is" in out and "Verification: OK" in out, out
    # SECLEVEL=0 lets this client offer TLS 1.1 at all; the server then ends the handshake before its certificate.
    out = s_client(prefork.port, "-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0", *ca)
    assert "Cipher is (NONE)" in out and "no peer certificate available" in out, out


async def test_client_certificates_required(prefork, certs):
    prefork.start("-w", "1", *certs.args(), "--ca-certs", str(certs.ca_file), "--cert-reqs", "2", app=APP, wait=1)
    anonymous = certs.client_context()
    with pytest.raises(aiohttp.ClientError):
        await fetch(prefork.port, anonymous)
    identified = certs.client_context()
    certs.ca.issue_cert("client@example.org", common_name="alice").configure_cert(identified)
    scheme, secure, cn, _ = (await fetch(prefork.port, identified)).split()
    assert (scheme, secure, cn) == ("https", "True", "alice")  # request.transport.get_extra_info("peercert")


async def test_client_certificates_optional(prefork, certs):
    prefork.start("-w", "1", *certs.args(), "--ca-certs", str(certs.ca_file), "--cert-reqs", "1", app=APP, wait=1)
    assert (await fetch(prefork.port, certs.client_context())).split()[2] == "-"
    identified = certs.client_context()
    certs.ca.issue_cert("client@example.org", common_name="bob").configure_cert(identified)
    assert (await fetch(prefork.port, identified)).split()[2] == "bob"
    stranger = certs.client_context()
    trustme.CA().issue_cert("client@example.org", common_name="eve").configure_cert(stranger)
    with pytest.raises(aiohttp.ClientError):
        await fetch(prefork.port, stranger)  # sent, so verified: a certificate from another CA is refused


async def test_with_ca_certs_the_systems_cas_are_not_trusted_for_client_certificates(prefork, certs, tmp_path):
    system = trustme.CA()  # stands for the system's CAs: OpenSSL reads $SSL_CERT_FILE as the default store
    system.cert_pem.write_to_path(str(tmp_path / "system-ca.pem"))
    env = {"SSL_CERT_FILE": str(tmp_path / "system-ca.pem")}
    args = [*certs.args(), "--ca-certs", str(certs.ca_file), "--cert-reqs", "2"]
    prefork.start("-w", "1", *args, app=APP, env=env, wait=1)
    outsider = certs.client_context()
    system.issue_cert("client@example.org", common_name="mallory").configure_cert(outsider)
    with pytest.raises(aiohttp.ClientError):
        await fetch(prefork.port, outsider)
    member = certs.client_context()
    certs.ca.issue_cert("client@example.org", common_name="carol").configure_cert(member)
    assert (await fetch(prefork.port, member)).split()[2] == "carol"


async def test_plain_http_to_the_tls_port_is_closed_and_the_worker_serves_on(prefork, certs):
    prefork.start("-w", "1", *certs.args(), app=APP, wait=1)
    pid = int((await fetch(prefork.port, certs.client_context())).split()[3])
    reader, writer = await asyncio.open_connection("127.0.0.1", prefork.port)
    writer.write(b"GET / HTTP/1.1\r\nHost: t\r\n\r\n")
    async with asyncio.timeout(10):
        try:
            answer = await reader.read()
        except ConnectionResetError:
            answer = b""
    writer.close()
    # Closed without an HTTP answer (at most a TLS alert record, content type 21).
    assert not answer.startswith(b"HTTP") and answer[:1] in (b"", b"\x15"), answer
    assert int((await fetch(prefork.port, certs.client_context())).split()[3]) == pid
    assert "Traceback" not in prefork.log() and "ERROR" not in prefork.log()


async def test_a_tls_handshake_to_a_plain_port_gets_400_and_close(prefork, certs):
    prefork.start("-w", "1", app=APP, wait=1)
    raw = socket.create_connection(("127.0.0.1", prefork.port), timeout=10)
    with raw:
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        tls.check_hostname = False
        tls.verify_mode = ssl.CERT_NONE
        incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
        client = tls.wrap_bio(incoming, outgoing, server_hostname="127.0.0.1")
        with pytest.raises(ssl.SSLWantReadError):
            client.do_handshake()
        raw.sendall(outgoing.read())  # the ClientHello
        answer = b""
        while chunk := await in_thread(raw.recv, 4096):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 400 "), answer
    assert b"connection: close" in answer.lower()


def _request_then_close_notify(port: int, context: ssl.SSLContext) -> None:
    with (
        socket.create_connection(("127.0.0.1", port), timeout=10) as raw,
        context.wrap_socket(raw, server_hostname="127.0.0.1") as tls,
    ):
        tls.sendall(b"GET / HTTP/1.1\r\nHost: t\r\n\r\n")
        try:
            tls.unwrap()  # close_notify: the TLS form of a half-close
        except (ssl.SSLError, OSError):
            pass  # the server's answer or its close came first


async def test_close_notify_after_a_request_is_an_ordinary_close(prefork, certs):
    prefork.start("-w", "1", *certs.args(), app=APP, wait=1)
    for _ in range(3):
        await in_thread(_request_then_close_notify, prefork.port, certs.client_context())
    pid = int((await fetch(prefork.port, certs.client_context())).split()[3])
    assert pid in prefork.workers()
    # Neither asyncio's nor uvloop's TLS transport keeps a connection half-open: no warning that it was asked to.
    assert "WARNING" not in prefork.log(), prefork.log()


async def test_hup_serves_the_replaced_certificate(prefork, certs):
    prefork.start("-w", "2", *certs.args(), app=APP, wait=2)
    context = certs.client_context()
    assert await served_name(prefork.port, context) == "first"
    certs.issue("second")
    prefork.signal(signal.SIGHUP)
    await in_thread(prefork.wait_log, r"reload done in", 1, 20)
    for _ in range(4):  # every worker of the new generation
        assert await served_name(prefork.port, context) == "second"


async def test_hup_with_a_broken_certificate_keeps_serving_the_old_one(prefork, certs):
    prefork.start("-w", "1", *certs.args(), app=APP, wait=1)
    context = certs.client_context()
    certs.key.write_text("not a key\n")
    prefork.signal(signal.SIGHUP)
    await in_thread(prefork.wait_log, r"the new config is invalid, keeping the current one: .*keyfile")
    await in_thread(prefork.wait_log, r"reload done in", 1, 20)
    assert await served_name(prefork.port, context) == "first"


def _run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "supervisor", "-b", "127.0.0.1:0", "--chdir", APPS, *args, APP],
        capture_output=True,
        text=True,
        timeout=20,
        cwd=tmp_path,
        env={**os.environ, "PREFORK_CMD_ARGS": ""},
    )


def test_startup_errors_name_the_setting(tmp_path, certs):
    other = trustme.CA().issue_cert("127.0.0.1")
    other_key = tmp_path / "other-key.pem"
    other.private_key_pem.write_to_path(str(other_key))
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("hello\n")
    cases = [
        (["--certfile", str(tmp_path / "nope.pem")], "command line: certfile: cannot read "),
        (["--keyfile", str(certs.key)], "command line: keyfile: needs certfile"),
        (["--certfile", str(certs.cert), "--keyfile", str(other_key)], "command line: keyfile: the private key in"),
        (
            ["--certfile", str(certs.cert), "--keyfile", str(garbage)],
            "command line: keyfile: no usable PEM private key",
        ),
        (["--certfile", str(garbage), "--keyfile", str(certs.key)], "command line: certfile: no PEM certificate in"),
        (["--certfile", str(certs.cert)], "command line: certfile: no usable PEM private key in"),
        ([*certs.args(), "--ca-certs", str(garbage)], "command line: ca_certs: cannot load PEM CA certificates"),
        ([*certs.args(), "--ssl-ciphers", "NOTACIPHER"], "command line: ssl_ciphers: OpenSSL accepts none of"),
        ([*certs.args(), "--cert-reqs", "1"], "command line: cert_reqs: needs ca_certs"),
        ([*certs.args(), "--cert-reqs", "3"], "command line: --cert-reqs: expected 0 (none), 1 (optional) or 2"),
    ]
    for args, line in cases:
        done = _run(tmp_path, *args)
        assert done.returncode == 2, (args, done.stderr)
        assert done.stderr.startswith(f"prefork: error: {line}") and done.stderr.count("\n") == 1, done.stderr
