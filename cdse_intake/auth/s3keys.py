"""S3 access keys for CDSE's ``eodata`` bucket (§6; made in CDSE's S3 keys manager).

Precedence: argument > environment (``CDSE_S3_ACCESS_KEY``/``CDSE_S3_SECRET_KEY``). The repr
shows the first characters of the access key only; a pickle carries the access key only and the
secret is looked up again in the receiving process's environment.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from ..errors import AuthenticationError, ConfigurationError, CredentialsMissing

__all__ = ["S3Keys"]

ENV_ACCESS_KEY = "CDSE_S3_ACCESS_KEY"
ENV_SECRET_KEY = "CDSE_S3_SECRET_KEY"  # noqa: S105 - the variable's name
KEYS_MANAGER_URL = "https://eodata-s3keysmanager.dataspace.copernicus.eu/panel/s3-credentials"


@dataclass(frozen=True, repr=False)
class S3Keys:
    """An S3 access key and its secret."""

    access_key: str
    secret_key: str
    source: str = field(default="argument", compare=False)

    def __post_init__(self) -> None:
        for name in ("access_key", "secret_key"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip():
                raise ConfigurationError(f"S3 {name} is empty or not a string")
            object.__setattr__(self, name, value.strip())

    def __repr__(self) -> str:
        return f"S3Keys(access_key={self.access_key[:4] + '…'!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (_unpickle, (self.access_key,))

    def __copy__(self) -> S3Keys:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> S3Keys:
        return self

    def storage_options(self) -> dict[str, str]:
        """``key``/``secret`` for s3fs (which then holds the secret: keep its options private)."""
        return {"key": self.access_key, "secret": self.secret_key}

    @classmethod
    def resolve(cls, access_key: str | None = None, secret_key: str | None = None) -> S3Keys:
        """Keys from the arguments, else the environment; a clear error when either is missing."""
        if access_key is not None or secret_key is not None:
            if access_key is None or secret_key is None:
                missing = "access_key" if access_key is None else "secret_key"
                raise ConfigurationError(
                    f"S3 keys need both access_key and secret_key; {missing} is missing"
                )
            return cls(access_key, secret_key)
        env_access = os.environ.get(ENV_ACCESS_KEY) or None
        env_secret = os.environ.get(ENV_SECRET_KEY) or None
        if env_access and env_secret:
            return cls(env_access, env_secret, source=f"environment ({ENV_ACCESS_KEY})")
        state = (
            f"{ENV_ACCESS_KEY} is set but {ENV_SECRET_KEY} is not"
            if env_access
            else f"{ENV_SECRET_KEY} is set but {ENV_ACCESS_KEY} is not"
            if env_secret
            else "not set"
        )
        raise CredentialsMissing(
            "no CDSE S3 keys found. Looked in: (1) the arguments access_key= and secret_key=: "
            f"not given; (2) environment variables {ENV_ACCESS_KEY} and {ENV_SECRET_KEY}: "
            f"{state}. Create keys at {KEYS_MANAGER_URL} and pass them or export "
            f"{ENV_ACCESS_KEY}=<access key> {ENV_SECRET_KEY}=<secret key>."
        )


def _unpickle(access_key: str) -> S3Keys:
    keys = S3Keys.resolve()  # raises a clear error when the environment has none
    if keys.access_key != access_key:
        raise AuthenticationError(
            f"S3 keys {access_key[:4]}… were pickled without their secret and this process's "
            f"{ENV_ACCESS_KEY} holds a different key"
        )
    return keys
