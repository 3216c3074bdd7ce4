"""S3's error replies: the XML body, the status and the ``x-amz-request-id`` of every answer.

The codes and messages are Amazon S3's, which S3-compatible stores answer with too; the extra
elements (``Key``, ``AWSAccessKeyId``, ``StringToSign`` ...) are the ones AWS adds, so a client's
debug output shows what it would against a real store. The request ids have the form of a Ceph
RADOS gateway's, the software CloudFerro's object stores run [unverified for CDSE's ``eodata``].
"""

from __future__ import annotations

import secrets
import time
from xml.sax.saxutils import escape

from aiohttp import web

__all__ = ["S3Error", "error_response", "new_request_id", "xml_document"]

XMLNS = "http://s3.amazonaws.com/doc/2006-03-01/"


def new_request_id() -> str:
    """A request id as the Ceph gateway makes them: ``tx<21 hex>-<hex time>-<hex>-default``."""
    return f"tx{secrets.token_hex(11)[:21]}-{int(time.time()):08x}-{secrets.token_hex(3)}-default"


def xml_document(body: str) -> bytes:
    """``body`` behind the XML declaration, as UTF-8."""
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}'.encode()


class S3Error(Exception):
    """An S3 error reply: HTTP ``status``, ``code``, ``message`` and extra XML elements."""

    def __init__(self, status: int, code: str, message: str, **fields: object) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields
        self.headers: dict[str, str] = {}


def access_denied(message: str = "Access Denied", **fields: object) -> S3Error:
    return S3Error(403, "AccessDenied", message, **fields)


def no_such_key(key: str) -> S3Error:
    return S3Error(404, "NoSuchKey", "The specified key does not exist.", Key=key)


def no_such_bucket(bucket: str) -> S3Error:
    return S3Error(404, "NoSuchBucket", "The specified bucket does not exist.", BucketName=bucket)


def invalid_argument(message: str, name: str, value: str) -> S3Error:
    return S3Error(400, "InvalidArgument", message, ArgumentName=name, ArgumentValue=value)


def malformed_authorization(message: str) -> S3Error:
    return S3Error(400, "AuthorizationHeaderMalformed", message)


def malformed_query_auth(message: str) -> S3Error:
    return S3Error(400, "AuthorizationQueryParametersError", message)


def error_response(
    err: S3Error, *, request_id: str, resource: str, head: bool = False
) -> web.Response:
    """The reply to ``err``: S3's ``<Error>`` document (no body for a HEAD, as on S3)."""
    headers = {"x-amz-request-id": request_id, **err.headers}
    if head:
        return web.Response(status=err.status, headers=headers)
    parts = [f"<Code>{err.code}</Code>", f"<Message>{escape(err.message)}</Message>"]
    parts += [f"<{name}>{escape(str(value))}</{name}>" for name, value in err.fields.items()]
    parts += [f"<Resource>{escape(resource)}</Resource>", f"<RequestId>{request_id}</RequestId>"]
    body = xml_document(f"<Error>{''.join(parts)}</Error>")
    return web.Response(
        status=err.status, body=body, content_type="application/xml", headers=headers
    )
