"""The error family: builtin bases, kept service details, pickling."""

from __future__ import annotations

import pickle

import pytest

from cdse_intake import errors


@pytest.mark.parametrize(
    ("cls", "builtin"),
    [
        (errors.QueryError, ValueError),
        (errors.ConfigurationError, ValueError),
        (errors.AuthenticationError, PermissionError),
        (errors.ProductNotFound, FileNotFoundError),
        (errors.RateLimited, ConnectionError),
        (errors.ServiceError, ConnectionError),
        (errors.ChecksumMismatch, OSError),
        (errors.UnsafePathError, ValueError),
    ],
)
def test_inherits_root_and_builtin(cls, builtin):
    err = cls("boom", status=401, code="DAT-ZIP-604", request_id="rid-1")
    assert isinstance(err, errors.CDSEError)
    assert isinstance(err, builtin)


def test_keeps_service_details_and_pickles():
    err = errors.RateLimited(
        "Max session number exceeded", status=429, code="DAT-ZIP-100", retry_after=7.5, url="u"
    )
    assert "DAT-ZIP-100" in str(err) and "429" in str(err)
    copy = pickle.loads(pickle.dumps(err))
    assert type(copy) is errors.RateLimited
    assert (copy.status, copy.code, copy.retry_after, copy.url) == (429, "DAT-ZIP-100", 7.5, "u")
    assert str(copy) == str(err)


def test_cause_survives_raise_from():
    def fail() -> None:
        try:
            raise OSError("socket closed")
        except OSError as low:
            raise errors.ServiceError("download failed") from low

    with pytest.raises(errors.ServiceError) as info:
        fail()
    assert isinstance(info.value.__cause__, OSError)
