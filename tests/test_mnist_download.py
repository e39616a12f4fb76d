"""Tests of ``load_mnist(download=True)`` against a local HTTP server on 127.0.0.1.

``mirror`` runs ``http.server`` in a thread; each test says what it answers (``Reply``: a
status, a body, a connection cut short, a delay) and ``MIRRORS`` is pointed at it. The real
``_fetch`` (urllib) does every request, wrapped so that any host but 127.0.0.1 fails the test:
nothing here can reach the internet. Checksums are patched to those of the synthetic files.
"""

from __future__ import annotations

import gzip
import http.server
import os
import socket
import threading
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

import autograd_lite.data.mnist as mnist
from autograd_lite.data.mnist import FILES, MNISTError, load_mnist
from tests.mnist_files import (
    expect,
    idx_bytes,
    install,
    served,
    strip_shipped_data,
    synthetic_arrays,
)

REAL_FETCH = mnist._fetch
GOOD = served(synthetic_arrays())  # "<name>.gz" -> the bytes a good mirror serves


@dataclass
class Reply:
    """What the server answers: a status and body, optionally cut short or delayed."""

    body: bytes = b""
    status: int = 200
    cut: bool = False  # promise the whole body, send half, close the connection
    delay: float = 0.0


class Mirror(http.server.ThreadingHTTPServer):
    """A local server; ``respond(path, n)`` gives the reply to the n-th request (from 1)."""

    def __init__(self, respond: Callable[[str, int], Reply]) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.respond = respond
        self.requests: list[str] = []
        self.lock = threading.Lock()

    def url(self, prefix: str = "a") -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/{prefix}/"

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that gave up (timeout, cut connection) is what the test arranged


class _Handler(http.server.BaseHTTPRequestHandler):
    server: Mirror

    def do_GET(self) -> None:
        with self.server.lock:
            self.server.requests.append(self.path)
            reply = self.server.respond(self.path, len(self.server.requests))
        threading.Event().wait(reply.delay)
        self.send_response(reply.status)
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        self.wfile.write(reply.body[: len(reply.body) // 2] if reply.cut else reply.body)

    def log_message(self, format: str, *args: object) -> None:
        pass  # keep the test output clean


def serve_files(path: str, n: int) -> Reply:
    """A good mirror: every file it has, 404 for the rest."""
    name = path.rsplit("/", 1)[1]
    return Reply(GOOD[name]) if name in GOOD else Reply(b"not found", status=404)


@pytest.fixture(autouse=True)
def _local_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """urllib may talk to 127.0.0.1 only; the checksums are the synthetic files'."""

    def fetch(url: str, timeout: float) -> bytes:
        assert urllib.parse.urlsplit(url).hostname == "127.0.0.1", f"tried to download {url}"
        return REAL_FETCH(url, timeout)

    monkeypatch.setattr(mnist, "_fetch", fetch)
    expect(monkeypatch, synthetic_arrays())


@pytest.fixture
def mirror(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Mirror]]:
    """Start a server answering with ``respond``, make ``urls`` of it the mirrors."""
    servers = []

    def start(respond: Callable[[str, int], Reply] = serve_files, prefixes=("a",)) -> Mirror:
        server = Mirror(respond)
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
        servers.append(server)
        monkeypatch.setattr(mnist, "MIRRORS", tuple(server.url(p) for p in prefixes))
        return server

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def closed_port_url() -> str:
    """A URL on 127.0.0.1 where nothing listens: the connection is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/mnist/"


# --- downloading ---------------------------------------------------------------------------


def test_download_fetches_missing_files_verifies_and_loads_them(mirror, tmp_path: Path) -> None:
    server = mirror()
    (x_train, t_train), (_, t_test) = load_mnist(normalize=False, data_dir=tmp_path, download=True)
    assert server.requests == [f"/a/{name}.gz" for name in FILES]
    assert sorted(os.listdir(tmp_path)) == sorted(GOOD)
    for filename, data in GOOD.items():
        assert (tmp_path / filename).read_bytes() == data
    np.testing.assert_array_equal(t_train, [5, 0, 4, 1, 9])
    np.testing.assert_array_equal(t_test, [7, 2, 1])
    np.testing.assert_array_equal(x_train, synthetic_arrays()[mnist.TRAIN_IMAGES].reshape(5, 6))
    load_mnist(data_dir=tmp_path, download=True)
    assert len(server.requests) == len(FILES)  # good files are never fetched again


def test_download_replaces_only_a_damaged_file(
    mirror, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    install(monkeypatch, tmp_path, synthetic_arrays())  # labels raw, images gzip
    damaged = tmp_path / mnist.TRAIN_LABELS
    damaged.write_bytes(idx_bytes(np.array([1, 2, 3, 4, 5], dtype=np.uint8)))
    server = mirror()
    (_, t_train), _ = load_mnist(data_dir=tmp_path, download=True)
    np.testing.assert_array_equal(t_train, [5, 0, 4, 1, 9])
    assert server.requests == [f"/a/{mnist.TRAIN_LABELS}.gz"]
    assert not damaged.exists()  # the raw file would shadow the fresh .gz
    assert (tmp_path / f"{mnist.TRAIN_LABELS}.gz").read_bytes() == GOOD[f"{damaged.name}.gz"]


def test_download_retries_once_then_tries_next_mirror(mirror, tmp_path: Path) -> None:
    def respond(path: str, n: int) -> Reply:
        return Reply(b"busy", status=503) if path.startswith("/a/") else serve_files(path, n)

    server = mirror(respond, prefixes=("a", "b"))
    load_mnist(data_dir=tmp_path, download=True)
    first = f"{mnist.TRAIN_IMAGES}.gz"
    assert server.requests[:3] == [f"/a/{first}", f"/a/{first}", f"/b/{first}"]
    assert sorted(os.listdir(tmp_path)) == sorted(GOOD)


def test_download_retry_recovers_from_one_timeout(
    mirror, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(mnist, "TIMEOUT", 0.2)

    def respond(path: str, n: int) -> Reply:
        reply = serve_files(path, n)
        reply.delay = 2.0 if n == 1 else 0.0  # the client gives up after 0.2 s
        return reply

    server = mirror(respond)
    load_mnist(data_dir=tmp_path, download=True)
    assert server.requests[0] == server.requests[1] == f"/a/{mnist.TRAIN_IMAGES}.gz"
    assert len(server.requests) == len(FILES) + 1


def test_download_from_a_refused_connection_tries_the_next_mirror(
    mirror, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = mirror()
    monkeypatch.setattr(mnist, "MIRRORS", (closed_port_url(), server.url()))
    load_mnist(data_dir=tmp_path, download=True)
    assert sorted(os.listdir(tmp_path)) == sorted(GOOD)


# --- failures leave nothing behind ---------------------------------------------------------

TRAIN_GZ = GOOD[f"{mnist.TRAIN_IMAGES}.gz"]
FAILED_DOWNLOADS = {
    "not found": lambda path, n: Reply(b"<html>404 Not Found</html>", status=404),
    "html page": lambda path, n: Reply(b"<html>a login page</html>"),
    "connection cut": lambda path, n: Reply(TRAIN_GZ, cut=True),
    "truncated gzip": lambda path, n: Reply(TRAIN_GZ[: len(TRAIN_GZ) // 2]),
    "wrong checksum": lambda path, n: Reply(gzip.compress(idx_bytes(np.zeros((2, 3, 2))))),
}


@pytest.mark.parametrize("respond", FAILED_DOWNLOADS.values(), ids=FAILED_DOWNLOADS.keys())
def test_failed_download_leaves_nothing_behind(
    mirror, tmp_path: Path, respond: Callable[[str, int], Reply]
) -> None:
    server = mirror(respond, prefixes=("a", "b"))
    with pytest.raises(MNISTError) as info:
        load_mnist(data_dir=tmp_path, download=True)
    message = str(info.value)
    assert f"could not download {mnist.TRAIN_IMAGES}.gz into {tmp_path}" in message
    assert all(url in message for url in mnist.MIRRORS)
    for hint in ("data_dir=", "--data-dir", "$AUTOGRAD_LITE_DATA"):
        assert hint in message
    assert len(server.requests) == 2 * 2  # two mirrors, two attempts each, then give up
    assert list(tmp_path.iterdir()) == []


def test_failed_download_without_network_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(mnist, "MIRRORS", (closed_port_url(),))
    with pytest.raises(MNISTError, match=r"(?s)could not download .* Connection refused"):
        load_mnist(data_dir=tmp_path, download=True)
    assert list(tmp_path.iterdir()) == []


def test_failed_download_into_stripped_packaging_removes_the_folder_it_made(
    mirror, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shipped = strip_shipped_data(monkeypatch, tmp_path)
    mirror(lambda path, n: Reply(b"gone", status=410))
    with pytest.raises(MNISTError, match="could not download"):
        load_mnist(download=True)
    assert list(shipped.parent.iterdir()) == []


def test_download_restores_data_a_packaging_stripped(
    mirror, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shipped = strip_shipped_data(monkeypatch, tmp_path)
    mirror()
    (_, t_train), _ = load_mnist(download=True)
    np.testing.assert_array_equal(t_train, [5, 0, 4, 1, 9])
    assert sorted(os.listdir(shipped)) == sorted(GOOD)


def test_interrupted_write_leaves_nothing_behind(
    mirror, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mirror()

    def replace_fails(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(mnist.os, "replace", replace_fails)
    with pytest.raises(MNISTError, match="No space left") as info:
        load_mnist(data_dir=tmp_path, download=True)
    assert f"could not write {tmp_path / mnist.TRAIN_IMAGES}.gz" in str(info.value)
    assert list(tmp_path.iterdir()) == []


def test_unwritable_data_folder_is_an_mnist_error_naming_the_file(
    mirror, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 12, item 10: a bare PermissionError came out after the download. The tests run
    as root, who may write anywhere, so the module's ``open`` refuses as a read-only folder
    would."""
    server = mirror()

    def refuse(path: object, *args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(mnist, "open", refuse, raising=False)
    with pytest.raises(MNISTError) as info:
        load_mnist(data_dir=tmp_path, download=True)
    message = str(info.value)
    assert f"cannot write {tmp_path / mnist.TRAIN_IMAGES}.gz" in message
    assert "Permission denied" in message
    for hint in ("data_dir=", "--data-dir", "$AUTOGRAD_LITE_DATA"):
        assert hint in message
    assert server.requests == []  # found out before downloading anything
    assert list(tmp_path.iterdir()) == []
