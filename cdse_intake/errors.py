"""The exceptions of cdse_intake.

Every error derives from :class:`CDSEError`; subclasses also inherit the matching builtin so that
``except FileNotFoundError`` or ``except PermissionError`` keep working for callers that do not
know this library. Errors keep what the service said (HTTP status, CDSE error code such as
``DAT-ZIP-604`` or ``invalid_grant``, its message and the request id) and pickle, so they cross
process and dask-worker boundaries intact. No secret ever enters an error message.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "AuthenticationError",
    "CDSEError",
    "CLMSAuthenticationError",
    "CLMSError",
    "CLMSKeyMissing",
    "CLMSQueryError",
    "CLMSResultExpired",
    "CLMSTaskFailed",
    "CLMSWaitTimeout",
    "ChecksumMismatch",
    "ConfigurationError",
    "CredentialsMissing",
    "DownloadError",
    "NothingFoundWarning",
    "ProductNotFound",
    "ProductOffline",
    "QueryError",
    "RateLimited",
    "ServiceError",
    "ServiceKeyError",
    "UnsafePathError",
    "UnsupportedProduct",
]


class CDSEError(Exception):
    """Root of every cdse_intake error.

    ``status`` is the HTTP status when a service answered, ``code`` the service's own error code
    (``DAT-ZIP-100``, ``invalid_grant``, ...), ``request_id`` the id CDSE gave the request.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        request_id: str | None = None,
        url: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.request_id = request_id
        self.url = url

    def __str__(self) -> str:
        parts = [self.message]
        details = [
            f"{name}={value}"
            for name, value in (
                ("status", self.status),
                ("code", self.code),
                ("request_id", self.request_id),
            )
            if value is not None
        ]
        if details:
            parts.append(f"({', '.join(details)})")
        return " ".join(parts)

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only arguments are not restored by the default Exception pickling.
        return (_rebuild, (type(self), self.message, self._state()))

    def _state(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "code": self.code,
            "request_id": self.request_id,
            "url": self.url,
        }


def _rebuild(cls: type[CDSEError], message: str, state: dict[str, Any]) -> CDSEError:
    err = cls.__new__(cls)
    CDSEError.__init__(err, message)
    err.__dict__.update(state)
    err.args = (message,)
    return err


class ConfigurationError(CDSEError, ValueError):
    """A setting (endpoint URL, cache dir, concurrency, ...) has a value that cannot work."""


class QueryError(CDSEError, ValueError):
    """A search query is invalid; raised before any request is sent, or for a 400/422 answer."""


class AuthenticationError(CDSEError, PermissionError):
    """Credentials are missing or were refused, or a token was rejected (401/403)."""


class CredentialsMissing(AuthenticationError):
    """No credentials were found in any source (arguments, environment, ``.netrc``)."""


class ProductNotFound(CDSEError, FileNotFoundError):
    """The product (or a file inside it) does not exist on the service (404)."""


class ProductOffline(CDSEError, OSError):
    """The product is archived (``Online: false``) and cannot be downloaded directly."""


class RateLimited(CDSEError, ConnectionError):
    """The service refused for quota reasons (429: session limit ``DAT-ZIP-100`` or rate limit).

    ``retry_after`` holds the server's Retry-After in seconds when it gave one.
    """

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after

    def _state(self) -> dict[str, Any]:
        return {**super()._state(), "retry_after": self.retry_after}


class ServiceError(CDSEError, ConnectionError):
    """The service failed (5xx, broken connection, malformed answer)."""


class DownloadError(CDSEError, OSError):
    """A download could not be completed."""


class ChecksumMismatch(DownloadError):
    """The downloaded bytes do not match the checksum CDSE published for them."""


class UnsafePathError(CDSEError, ValueError):
    """A name from the server would write outside its folder (``/``, ``..``, NUL, ...)."""


class UnsupportedProduct(CDSEError, ValueError):
    """A product (or file) whose format no reader of :func:`cdse_intake.open_product` knows."""


class CLMSError(CDSEError):
    """Root of the errors of the Copernicus Land Monitoring Service (CLMS) API client.

    ``task_id`` is the CLMS task the error is about, when there is one.
    """

    def __init__(self, message: str, *, task_id: str | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.task_id = task_id

    def _state(self) -> dict[str, Any]:
        return {**super()._state(), "task_id": self.task_id}


class ServiceKeyError(CLMSError, ValueError):
    """A CLMS service key file cannot be used (absent, not JSON, a field missing, not an RSA
    key, a token URI that is not https); the message names the file, never the key."""


class CLMSAuthenticationError(CLMSError, AuthenticationError):
    """CLMS refused the service key's grant or its access token (revoked key, 401/403)."""


class CLMSKeyMissing(CLMSAuthenticationError, CredentialsMissing):
    """No CLMS service key was given (argument, ``CDSE_CLMS_SERVICE_KEY``, the config file)."""


class CLMSQueryError(CLMSError, QueryError):
    """A CLMS search or data request is invalid (unknown dataset, format, projection, area);
    raised before any request, naming the bad value and the accepted ones, or for a 400."""


class CLMSTaskFailed(CLMSError, RuntimeError):
    """A CLMS task ended without a result (``Finished_nok``, cancelled, rejected, lost).

    ``task_status`` is the task's last status as CLMS gave it (``None``: CLMS no longer knows
    the task).
    """

    def __init__(self, message: str, *, task_status: str | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.task_status = task_status

    def _state(self) -> dict[str, Any]:
        return {**super()._state(), "task_status": self.task_status}


class CLMSWaitTimeout(CLMSError, TimeoutError):
    """A CLMS task was still running when ``wait(timeout=)`` ran out; the job is kept."""


class CLMSResultExpired(CLMSError, FileNotFoundError):
    """The result of a finished CLMS task is no longer served (its link lasts 72 hours)."""


class PartialProductWarning(UserWarning):
    """A product opened without some of its files (they are absent): the dataset holds what
    exists, and the warning names what is missing. Not raised for files left out on purpose
    (``bands=``/``variables=``)."""


class NothingFoundWarning(UserWarning):
    """A search found no products; the message says which constraint excludes everything."""
