"""Authentication with CDSE: account credentials, Keycloak tokens and S3 keys.

- :class:`Credentials`: username/password (+ TOTP for 2FA accounts) from the argument, the
  environment (``CDSE_USERNAME``/``CDSE_PASSWORD``/``CDSE_TOTP_SECRET``) or ``~/.netrc``;
  :func:`accounts` for several.
- :class:`TokenProvider`: bearer tokens from CDSE's Keycloak, one login then refresh grants,
  shared safely by threads and event loops.
- :class:`S3Keys`: keys of the ``eodata`` bucket (``CDSE_S3_ACCESS_KEY``/``CDSE_S3_SECRET_KEY``).
- :class:`ClientCredentials`: an OAuth service client (``CDSE_CLIENT_ID``/``CDSE_CLIENT_SECRET``;
  ``client_credentials`` grants: searches yes, downloads no, DAT-ZIP-609).
- :func:`temporary_s3_keys`, :func:`process_s3_keys`: S3 keys made with the account's token
  through CDSE's S3 keys manager, deleted at the end of the block or of the process.

Secrets never appear in a repr, a log line, an error message or a pickle.
"""

from .client_credentials import ClientCredentials
from .credentials import Credentials, accounts
from .s3keys import S3Keys
from .temporary_keys import (
    TemporaryS3Keys,
    create_s3_keys,
    delete_s3_keys,
    list_s3_keys,
    process_s3_keys,
    temporary_s3_keys,
)
from .tokens import TokenProvider

__all__ = [
    "ClientCredentials",
    "Credentials",
    "S3Keys",
    "TemporaryS3Keys",
    "TokenProvider",
    "accounts",
    "create_s3_keys",
    "delete_s3_keys",
    "list_s3_keys",
    "process_s3_keys",
    "temporary_s3_keys",
]
