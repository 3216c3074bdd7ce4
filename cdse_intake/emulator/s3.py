"""The emulated CDSE S3 store (``reference/cdse-api.md`` §1.8, §6): moto's S3 on loopback.

Bucket ``eodata``, region ``default``, path-style addressing, every materialised online product
unzipped at its ``S3Path`` key (folder products as a prefix of objects, single-file products as one
object). As on CDSE, requests need the account's S3 keys (anonymous ones get 403 AccessDenied)
and the keys are read-only (a write gets 403).

moto keeps its state in process-wide globals, and its bucket names are unique across all of them,
so two emulators in one process could not each have an ``eodata`` bucket; and a test using
``moto.mock_aws`` resets every backend when it starts. The server therefore runs moto's WSGI app
in a child process of its own, which this module also is (``python -m``). The parent sends the
objects through the child's stdin (stored straight into moto's backend: much faster than
uploading over HTTP); the child ends when :meth:`S3Server.stop` closes that pipe, or when the
parent dies.
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .catalogue import Catalogue, Entry

__all__ = ["BUCKET", "REGION", "S3Server", "objects"]

BUCKET = "eodata"
REGION = "default"
START_TIMEOUT = 60.0


def objects(entry: Entry) -> Iterator[tuple[str, bytes | str]]:
    """``(key, bytes or file path)`` of one materialised product as CDSE's S3 stores it (§6)."""
    payload = entry.payload
    if payload is None:
        return
    if payload.single_file:
        yield entry.s3_key, payload.path if payload.path else payload.data
        return
    for rel, data in sorted(payload.files.items()):
        yield f"{entry.s3_key}/{rel}", data


class S3Server:
    """moto's S3 in a child process, holding a catalogue's materialised products."""

    def __init__(self, catalogue: Catalogue, host: str = "127.0.0.1") -> None:
        self.catalogue = catalogue
        self.host = host
        self.endpoint: str | None = None
        self._process: subprocess.Popen | None = None
        self._reader: tuple[str, str] | None = None
        self._lock = threading.Lock()

    @property
    def credentials(self) -> tuple[str, str]:
        """The account's read-only S3 keys ``(access key, secret)``."""
        if self._reader is None:
            raise RuntimeError("the S3 server is not started; call start() first")
        return self._reader

    def start(self) -> str:
        """Start the child, fill the bucket; the endpoint URL (``http://<host>:<port>``)."""
        with self._lock:
            if self.endpoint is not None:
                return self.endpoint
            hello = self._spawn()
            self.endpoint = hello["endpoint"]
            self._reader = (hello["key"], hello["secret"])
        try:
            # Offline (Online: false) products are not in the store (§2.3: not reachable by S3).
            self.add(*(e for e in self.catalogue.materialised if e.online))
        except BaseException:
            self.stop()
            raise
        return self.endpoint

    def add(self, *entries: Entry) -> None:
        """Store more products (e.g. one added to the catalogue after start)."""
        with self._lock:
            process = self._process
            if process is None or process.stdin is None or process.stdout is None:
                raise RuntimeError("the S3 server is not started; call start() first")
            count = 0
            for entry in entries:
                for key, body in objects(entry):
                    _send(process.stdin, key, body)
                    count += 1
            process.stdin.write(b"\n")  # end of batch
            process.stdin.flush()
            reply = _read_line(process, START_TIMEOUT)
        if reply.strip() != f"stored {count}".encode():
            raise RuntimeError(f"the S3 child did not store the objects: {reply!r}")

    def stop(self) -> None:
        """End the child process (it exits when its stdin closes)."""
        with self._lock:
            process, self._process = self._process, None
            self.endpoint = None
        if process is None:
            return
        if process.stdin is not None:
            process.stdin.close()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()

    def __enter__(self) -> S3Server:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _spawn(self) -> dict[str, Any]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "MOTO_"))}
        # Read by moto's settings at import: enforce IAM auth from the first request on.
        env["INITIAL_NO_AUTH_ACTION_COUNT"] = "0"
        with tempfile.TemporaryFile() as log:
            process = subprocess.Popen(  # noqa: S603 - this interpreter running this module
                [sys.executable, "-m", __name__, self.host],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
                env=env,
            )
            self._process = process
            line = _read_line(process, START_TIMEOUT)
            if not line:
                process.kill()
                process.wait()
                self._process = None
                log.seek(0)
                detail = log.read().decode(errors="replace")[-2000:]
                raise RuntimeError(f"moto's S3 server did not start on {self.host}:\n{detail}")
        return json.loads(line)


def _send(pipe: IO[bytes], key: str, body: bytes | str) -> None:
    """One object frame: a JSON header line, then ``size`` raw bytes (a file is streamed)."""
    if isinstance(body, str):
        size = os.path.getsize(body)
        pipe.write(json.dumps({"key": key, "size": size}).encode() + b"\n")
        with open(body, "rb") as f:
            while block := f.read(1 << 20):
                pipe.write(block)
    else:
        pipe.write(json.dumps({"key": key, "size": len(body)}).encode() + b"\n")
        pipe.write(body)


def _read_line(process: subprocess.Popen, timeout: float) -> bytes:
    """The child's next stdout line, or b"" if it exits or stays silent for ``timeout`` s."""
    assert process.stdout is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        ready, _, _ = select.select([process.stdout], [], [], 0.2)
        if ready:
            return process.stdout.readline()
    return b""


# -- the child process -----------------------------------------------------------------------------
_ACCESS_DENIED = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code>'
    b"<Message>Access Denied</Message><RequestId>0</RequestId></Error>"
)
#: What CDSE's keys may do: read and list (§6). Each IAM permission, with the S3 operations (API
#: calls) that AWS authorises against it.
_READ_PERMISSIONS: dict[str, tuple[str, ...]] = {
    "s3:ListBucket": ("ListObjects", "ListObjectsV2", "HeadBucket"),
    "s3:GetObject": ("GetObject", "HeadObject"),
    "s3:GetBucketLocation": ("GetBucketLocation",),
    "s3:ListAllMyBuckets": ("ListBuckets",),
    "s3:GetObjectAttributes": ("GetObjectAttributes",),
}


def _read_actions() -> list[str]:
    """The ``Action`` list of the keys' policy: each read permission under both of moto's names.

    moto checks a request against the policy with an action string whose naming changed in
    moto 5.2.6:

    * in 5.2.5, ``moto.s3.responses.S3Response._set_action`` put the IAM permission name from
      its ``ACTION_MAP`` into ``self.data["Action"]`` (the same dict as ``self.querystring``), and
      ``moto.core.responses.BaseResponse._get_action`` returned ``querystring["Action"]``:
      ``ActionAuthenticatorMixin._authenticate_and_authorize_action``
      (``moto/core/authorization.py``) checked ``s3:ListBucket``, ``s3:GetObject`` (also for
      HeadObject), ``s3:ListAllMyBuckets`` -- but ``s3:HeadBucket`` for HeadBucket;
    * from 5.2.6 on, ``_get_action`` only asks the botocore service router
      (``_get_action_from_request``) for the *operation* name, so the check is on
      ``s3:ListObjectsV2``, ``s3:ListObjects``, ``s3:HeadObject``, ``s3:HeadBucket``,
      ``s3:ListBuckets`` ... (``_set_action`` still runs but nothing reads its result). A policy
      holding only the real IAM names then denies every listing and HEAD: 403 AccessDenied for
      correctly signed requests.

    So the policy names every read permission both ways; no name of a write (PutObject,
    DeleteObject, CreateBucket, ...) is in it under either scheme, so writes stay refused, and
    the signature check (wrong key or secret) is unchanged.
    """
    actions = dict.fromkeys(_READ_PERMISSIONS)
    for operations in _READ_PERMISSIONS.values():
        actions.update(dict.fromkeys(f"s3:{op}" for op in operations))
    return list(actions)


def _require_signature(app: Any) -> Any:
    """WSGI middleware: unsigned requests get CDSE's 403 (moto would answer 500)."""

    def wrapped(environ: dict[str, Any], start_response: Any) -> Any:
        if "HTTP_AUTHORIZATION" not in environ and "X-Amz-Credential" not in environ.get(
            "QUERY_STRING", ""
        ):
            start_response(
                "403 Forbidden",
                [("Content-Type", "application/xml"), ("Content-Length", str(len(_ACCESS_DENIED)))],
            )
            return [_ACCESS_DENIED]
        return app(environ, start_response)

    return wrapped


def _child_main(host: str) -> None:
    """Serve moto's S3 on ``host`` (port chosen by the OS); store objects read from stdin.

    stdin carries batches of object frames (see :func:`_send`), each batch ended by an empty
    line and acknowledged with ``stored <n>`` on stdout; end of file ends the process.
    """
    import logging
    import signal

    # A Ctrl-C in the terminal reaches the whole process group: the child ends with its parent
    # (end of stdin), not on its own.
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.iam.models import iam_backends
    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        MotoRequestHandler,
        create_backend_app,
    )
    from moto.s3.models import s3_backends
    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    iam = iam_backends[DEFAULT_ACCOUNT_ID]["aws"]
    iam.create_user(REGION, "cdse-user")
    # Allow the reads only; the action names cover moto 5.2.5 and 5.2.6 (see _read_actions).
    statement = {"Effect": "Allow", "Action": _read_actions(), "Resource": "*"}
    policy = {"Version": "2012-10-17", "Statement": [statement]}
    iam.put_user_policy("cdse-user", "eodata-read", json.dumps(policy))
    key = iam.create_access_key("cdse-user")
    store = s3_backends[DEFAULT_ACCOUNT_ID]["aws"]
    store.create_bucket(BUCKET, REGION)

    class QuietHandler(MotoRequestHandler):
        def log_request(self, *args: Any, **kwargs: Any) -> None:
            pass

    app = _require_signature(DomainDispatcherApplication(create_backend_app))
    server = make_server(host, 0, app, threaded=True, request_handler=QuietHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    hello = {
        "endpoint": f"http://{host}:{server.server_address[1]}",
        "key": key.access_key_id,
        "secret": key.secret_access_key,
    }
    out, stdin = sys.stdout, sys.stdin.buffer
    out.write(json.dumps(hello) + "\n")
    out.flush()
    stored = 0
    while header := stdin.readline():
        if header == b"\n":
            out.write(f"stored {stored}\n")
            out.flush()
            stored = 0
            continue
        frame = json.loads(header)
        store.put_object(BUCKET, frame["key"], stdin.read(frame["size"]))
        stored += 1
    # End of file: the parent stopped or died. Everything is in memory: exit at once.
    os._exit(0)


if __name__ == "__main__":
    _child_main(sys.argv[1])
