"""The emulator's Signature V4 check against botocore's signer (the reference), without a server.

Each request is signed by botocore (``S3SigV4Auth`` for header auth, ``S3SigV4QueryAuth`` for a
presigned URL), turned into what the server receives, and checked: botocore's signature must
pass, and any change to what it covers must fail.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from botocore.auth import S3SigV4Auth, S3SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

from cdse_intake.emulator.s3 import sigv4
from cdse_intake.emulator.s3.errors import S3Error

KEY, SECRET = "AKIAEMULATOREXAMPLE1", "s3cr3t/with+odd=chars"
ENDPOINT = "http://127.0.0.1:9000"
URLS = [
    f"{ENDPOINT}/eodata/Sentinel-2/MSI/L2A/2023/01/01/X.SAFE/manifest.safe",
    f"{ENDPOINT}/eodata?list-type=2&prefix=Sentinel-2%2FMSI%2F&delimiter=%2F&max-keys=7",
    f"{ENDPOINT}/eodata?location",
    f"{ENDPOINT}/eodata/odd%20name%2B%C3%BC%28x%29.nc?response-content-type=text%2Fplain",
    f"{ENDPOINT}/",
]


def secret_for(key: str) -> str | None:
    return SECRET if key == KEY else None


def received(request: AWSRequest) -> sigv4.Request:
    """What the server sees of a signed request (the HTTP client adds ``Host``)."""
    prepared = request.prepare()
    parts = urlsplit(prepared.url)
    headers: dict[str, list[str]] = {"host": [parts.netloc]}
    for name, value in prepared.headers.items():
        headers.setdefault(name.lower(), []).append(value)
    return sigv4.Request(prepared.method, parts.path, parts.query, headers)


def sign(
    url: str,
    *,
    method: str = "GET",
    headers: dict[str, str] | None = None,
    presign: bool = False,
    region: str = "default",
    secret: str = SECRET,
    unsigned_payload: bool = False,
) -> AWSRequest:
    request = AWSRequest(method=method, url=url, headers=headers or {})
    if unsigned_payload:
        request.context["client_config"] = Config(s3={"payload_signing_enabled": False})
    creds = Credentials(KEY, secret)
    signer = (
        S3SigV4QueryAuth(creds, "s3", region, expires=60)
        if presign
        else S3SigV4Auth(creds, "s3", region)
    )
    signer.add_auth(request)
    return request


def refusal(request: sigv4.Request, now: datetime | None = None) -> tuple[int, str]:
    with pytest.raises(S3Error) as err:
        sigv4.authenticate(request, secret_for, now)
    return err.value.status, err.value.code


@pytest.mark.parametrize("presign", [False, True], ids=["header", "presigned"])
@pytest.mark.parametrize("url", URLS)
def test_botocore_signatures_pass(url: str, presign: bool) -> None:
    assert sigv4.authenticate(received(sign(url, presign=presign)), secret_for) == KEY


def test_query_parameters_given_apart_are_canonicalised_alike() -> None:
    request = AWSRequest(
        method="GET",
        url=f"{ENDPOINT}/eodata",
        params={"list-type": "2", "prefix": "a b/ü+~", "start-after": "a*b"},
    )
    S3SigV4Auth(Credentials(KEY, SECRET), "s3", "default").add_auth(request)
    assert sigv4.authenticate(received(request), secret_for) == KEY


def test_header_values_are_trimmed_and_any_region_is_taken() -> None:
    headers = {"Range": "bytes=0-9", "X-Amz-Meta-Note": "  two   spaces  "}
    request = received(sign(URLS[0], headers=headers, region="us-east-1"))
    assert sigv4.authenticate(request, secret_for) == KEY


def test_unsigned_payload_and_date_header() -> None:
    request = sign(URLS[0], unsigned_payload=True)
    assert request.headers["X-Amz-Content-SHA256"] == sigv4.UNSIGNED_PAYLOAD
    assert sigv4.authenticate(received(request), secret_for) == KEY
    dated = sign(URLS[0], headers={"Date": "now"})  # botocore then signs Date, no x-amz-date
    assert "X-Amz-Date" not in dated.headers
    assert sigv4.authenticate(received(dated), secret_for) == KEY


def _tampered(request: sigv4.Request, **changes: object) -> sigv4.Request:
    fields = {**request.__dict__, **changes}
    return sigv4.Request(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize("presign", [False, True], ids=["header", "presigned"])
def test_any_change_breaks_the_signature(presign: bool) -> None:
    url = URLS[1]
    good = received(sign(url, presign=presign, headers={"Range": "bytes=0-9"}))
    changed = [
        _tampered(good, path=good.path + "x"),
        _tampered(good, query=good.query.replace("max-keys=7", "max-keys=8")),
        _tampered(good, method="HEAD"),
        _tampered(good, headers={**good.headers, "host": ["127.0.0.1:9001"]}),
        received(sign(url, presign=presign, secret="wrong")),
    ]
    if not presign:  # a presigned URL signs only Host: other headers may change
        changed.append(_tampered(good, headers={**good.headers, "range": ["bytes=0-10"]}))
    for request in changed:
        assert refusal(request) == (403, "SignatureDoesNotMatch")


def test_signature_error_says_what_was_signed() -> None:
    request = received(sign(URLS[0], secret="wrong"))
    with pytest.raises(S3Error) as err:
        sigv4.authenticate(request, secret_for)
    fields = err.value.fields
    assert fields["AWSAccessKeyId"] == KEY
    assert fields["CanonicalRequest"].startswith("GET\n/eodata/Sentinel-2/")
    assert fields["StringToSign"].startswith("AWS4-HMAC-SHA256\n")


def test_unknown_key_anonymous_and_unsigned_headers() -> None:
    other = received(sign(URLS[0]))
    with pytest.raises(S3Error) as err:
        sigv4.authenticate(other, lambda key: None)
    assert (err.value.status, err.value.code) == (403, "InvalidAccessKeyId")
    anonymous = sigv4.Request("GET", "/eodata", "list-type=2", {"host": ["h"]})
    assert sigv4.authenticate(anonymous, secret_for) is None
    good = received(sign(URLS[0]))
    extra = _tampered(good, headers={**good.headers, "x-amz-meta-late": ["1"]})
    assert refusal(extra) == (403, "AccessDenied")


def test_time_limits() -> None:
    now = datetime.now(UTC)
    header = received(sign(URLS[0]))
    assert sigv4.authenticate(header, secret_for, now + timedelta(minutes=14)) == KEY
    assert refusal(header, now + timedelta(minutes=16)) == (403, "RequestTimeTooSkewed")
    presigned = received(sign(URLS[0], presign=True))  # expires in 60 s
    assert sigv4.authenticate(presigned, secret_for, now + timedelta(seconds=30)) == KEY
    assert refusal(presigned, now + timedelta(seconds=62)) == (403, "AccessDenied")


V4 = "AWS4-HMAC-SHA256 Credential="
SCOPE = "/{day}/default/s3/aws4_request"


@pytest.mark.parametrize(
    ("authorization", "code"),
    [
        ("AWS AKIAEMULATOREXAMPLE1:c2lnbmF0dXJl", "InvalidRequest"),  # Signature V2
        (f"{V4}{KEY}{SCOPE}", "AuthorizationHeaderMalformed"),  # no SignedHeaders, Signature
        (f"{V4}{KEY}/x, SignedHeaders=host, Signature=0", "AuthorizationHeaderMalformed"),
        (f"{V4}{KEY}/19990101/default/s3/aws4_request, SignedHeaders=host, Signature=0",
         "AuthorizationHeaderMalformed"),  # not the day of x-amz-date
        (f"{V4}{KEY}{SCOPE}, SignedHeaders=host;x-amz-date, Signature=0", "SignatureDoesNotMatch"),
        (f"{V4}OTHER{SCOPE}, SignedHeaders=host;x-amz-date, Signature=0", "InvalidAccessKeyId"),
    ],
)  # fmt: skip
def test_malformed_authorization(authorization: str, code: str) -> None:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    value = authorization.format(day=stamp[:8])
    headers = {"host": ["h"], "authorization": [value], "x-amz-date": [stamp]}
    status = 403 if code in ("SignatureDoesNotMatch", "InvalidAccessKeyId") else 400
    assert refusal(sigv4.Request("GET", "/eodata", "", headers)) == (status, code)


def test_presigned_parameters_are_checked() -> None:
    url = urlsplit(sign(URLS[0], presign=True).url)
    short = sigv4.Request("GET", url.path, url.query.replace("X-Amz-Expires=60&", ""), {})
    assert refusal(short) == (400, "AuthorizationQueryParametersError")
    week = url.query.replace("X-Amz-Expires=60", "X-Amz-Expires=604801")
    assert refusal(sigv4.Request("GET", url.path, week, {})) == (
        400,
        "AuthorizationQueryParametersError",
    )
