"""``cdse-intake s3-keys create|list|delete``: S3 keys made with the account's CDSE token.

The account is the environment's or ``~/.netrc``'s (``CDSE_USERNAME``/``CDSE_PASSWORD``); the
keys come from CDSE's S3 keys manager (``CDSE_S3_KEYS_URL``, cdse-api.md §6). ``create``
prints the pair as shell ``export`` lines on stdout (the only place a secret is ever printed:
``eval "$(cdse-intake s3-keys create)"``), or JSON with ``--json``; the keys stay until deleted.
"""

from __future__ import annotations

import argparse
import json
import sys

from .exit_codes import ExitCode

__all__ = ["add_parser", "run"]


def add_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "s3-keys",
        help="create, list or delete S3 keys of the eodata bucket with your CDSE login",
        description=__doc__.split("\n\n", 1)[1] if __doc__ else None,
    )
    actions = parser.add_subparsers(dest="s3_keys_action", required=True, metavar="ACTION")
    create = actions.add_parser("create", help="new keys, printed as export lines (or --json)")
    create.add_argument("--json", action="store_true", help="print the keys as JSON")
    listing = actions.add_parser("list", help="the account's keys (access ids, expiry)")
    listing.add_argument("--json", action="store_true", help="print the list as JSON")
    delete = actions.add_parser("delete", help="delete keys by access id")
    delete.add_argument("access_ids", nargs="+", metavar="ACCESS_ID", help="keys to delete")


def run(args: argparse.Namespace) -> int:
    from ..auth import create_s3_keys, delete_s3_keys, list_s3_keys
    from ..auth.temporary_keys import account

    tokens = account()
    action = args.s3_keys_action
    if action == "create":
        keys = create_s3_keys(tokens)
        if args.json:
            body = {"access_key": keys.access_key, "secret_key": keys.secret_key}
            print(json.dumps({**body, "expiration_date": keys.expiration}))
        else:
            print(f"export CDSE_S3_ACCESS_KEY={keys.access_key}")
            print(f"export CDSE_S3_SECRET_KEY={keys.secret_key}")
        print(
            f"S3 keys {keys.access_key} made for {tokens.username} (expire: "
            f"{keys.expiration or 'unknown'}); delete with: cdse-intake s3-keys delete "
            f"{keys.access_key}",
            file=sys.stderr,
        )
        return ExitCode.OK
    if action == "list":
        found = list_s3_keys(tokens)
        if args.json:
            print(json.dumps(found))
        else:
            for key in found:
                print(f"{key['access_id']}\t{key.get('expiration_date') or ''}")
        return ExitCode.OK
    missing = [a for a in args.access_ids if not delete_s3_keys(a, tokens)]
    for access in missing:
        print(f"no S3 keys {access} for {tokens.username}", file=sys.stderr)
    return ExitCode.INPUT if missing else ExitCode.OK
