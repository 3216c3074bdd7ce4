"""Authentication with CDSE: account credentials, Keycloak tokens and S3 keys.

- :class:`Credentials`: username/password (+ TOTP for 2FA accounts) from the argument, the
  environment (``CDSE_USERNAME``/``CDSE_PASSWORD``/``CDSE_TOTP_SECRET``) or ``~/.netrc``;
  :func:`accounts` for several.
- :class:`TokenProvider`: bearer tokens from CDSE's Keycloak, one login then refresh grants,
  shared safely by threads and event loops.
- :class:`S3Keys`: keys of the ``eodata`` bucket (``CDSE_S3_ACCESS_KEY``/``CDSE_S3_SECRET_KEY``).

Secrets never appear in a repr, a log line, an error message or a pickle.
"""

from .credentials import Credentials, accounts
from .s3keys import S3Keys
from .tokens import TokenProvider

__all__ = ["Credentials", "S3Keys", "TokenProvider", "accounts"]
