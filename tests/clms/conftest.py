"""CLMS test helpers: service key files made with a fresh RSA key."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest


def rsa_pem() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    ).decode()


@pytest.fixture(scope="session")
def pem() -> str:
    return rsa_pem()


def key_dict(pem: str, **changes: Any) -> dict[str, Any]:
    data = {
        "client_id": "36cf0c684995c843b580f3110eb29765",
        "ip_range": None,
        "issued": "2022-01-24T14:32:24.148197",
        "key_id": "edbb14448a3349ba51b83333c4ef51275ac11ced",
        "private_key": pem,
        "title": "Token Name 1",
        "token_uri": "https://land.copernicus.eu/@@oauth2-token",
        "user_id": "n00015mf",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not ...}


@pytest.fixture
def key_file(tmp_path: Path, pem: str):
    def make(**changes: Any) -> Path:
        path = tmp_path / "service-key.json"
        path.write_text(json.dumps(key_dict(pem, **changes)))
        return path

    return make
