"""Helpers of the CLMS (land) emulator tests: a client of the service key flow, and polling."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC
from typing import Any

import jwt
import pytest
import requests

from cdse_intake.emulator import Emulator

GRANT_TYPE = "urn:ietf:params:oauth:grant-type:jwt-bearer"
LC2019 = ("a8d945f0edd143a0a5240c28bafa23da", "f328dbcc-9069-4240-b8bb-6d5df918671a")
CLC2018_RASTER = ("0407d497d3c44bcd93ce8fd5bf78596a", "7bcdf9d1-6ba0-4d4e-afa8-01451c7316cb")


class Clms:
    """A minimal CLMS API client (the service key flow of the docs) for the tests."""

    def __init__(self, emu: Emulator, key: dict[str, Any] | None = None) -> None:
        self.emu = emu
        self.api = emu.endpoints.clms
        self.key = key or emu.clms_service_key()
        self.http = requests.Session()
        self._token: str | None = None

    def grant(self, key: dict[str, Any] | None = None, **claims: Any) -> str:
        key = key or self.key
        now = int(self.emu.land.clock.now())  # the service's clock (tests may advance it)
        body = {
            "iss": key["client_id"],
            "sub": key["user_id"],
            "aud": key["token_uri"],
            "iat": now,
            "exp": now + 3600,
            **claims,
        }
        body = {k: v for k, v in body.items() if v is not None}
        return jwt.encode(body, key["private_key"], algorithm="RS256")

    def exchange(self, assertion: str) -> requests.Response:
        data = {"grant_type": GRANT_TYPE, "assertion": assertion}
        return self.http.post(
            self.key["token_uri"], data=data, headers={"Accept": "application/json"}
        )

    @property
    def token(self) -> str:
        if self._token is None:
            response = self.exchange(self.grant())
            assert response.status_code == 200, response.text
            self._token = response.json()["access_token"]
        return self._token

    def headers(self, token: str | None = "") -> dict[str, str]:
        out = {"Accept": "application/json"}
        token = self.token if token == "" else token
        if token:
            out["Authorization"] = f"Bearer {token}"
        return out

    def get(self, endpoint: str, token: str | None = "", **params: Any) -> requests.Response:
        return self.http.get(f"{self.api}/{endpoint}", params=params, headers=self.headers(token))

    def post(self, datasets: list[dict[str, Any]], token: str | None = "") -> requests.Response:
        return self.http.post(
            f"{self.api}/@datarequest_post",
            json={"Datasets": datasets},
            headers=self.headers(token),
        )

    def delete(self, task_id: Any, token: str | None = "") -> requests.Response:
        return self.http.delete(
            f"{self.api}/@datarequest_delete", json={"TaskID": task_id}, headers=self.headers(token)
        )

    def request(self, *datasets: dict[str, Any]) -> str:
        """Post a data request; its task id."""
        response = self.post(list(datasets))
        assert response.status_code == 201, response.text
        return response.json()["TaskIds"][0]["TaskID"]

    def status(self, task_id: str) -> dict[str, Any]:
        response = self.get("@datarequest_status_get", TaskID=task_id)
        assert response.status_code == 200, response.text
        return response.json()

    def wait(
        self,
        task_id: str,
        until: tuple[str, ...] = ("Finished_ok", "Finished_nok"),
        timeout: float = 15.0,
    ) -> dict[str, Any]:
        """Poll the task's status (within the service's polling interval) until it is final."""
        deadline = time.monotonic() + timeout
        while True:
            task = self.status(task_id)
            if task["Status"] in until:
                return task
            assert time.monotonic() < deadline, f"task {task_id} still {task['Status']}"
            time.sleep(max(0.02, self.emu.land.min_poll_interval))


def cut(dataset: tuple[str, str] = LC2019, **fields: Any) -> dict[str, Any]:
    """One ``Datasets`` item of a request (Geotiff, EPSG:4326 unless given)."""
    item = {
        "DatasetID": dataset[0],
        "DatasetDownloadInformationID": dataset[1],
        "OutputFormat": "Geotiff",
        "OutputGCS": "EPSG:4326",
    }
    item.update(fields)
    return item


def ms(year: int, month: int, day: int) -> int:
    """Milliseconds since the epoch of a UTC day (a ``TemporalFilter`` date)."""
    from datetime import datetime

    return int(datetime(year, month, day, tzinfo=UTC).timestamp() * 1000)


@pytest.fixture
def land_emulator(cdse_emulator: Emulator) -> Iterator[Emulator]:
    """The session emulator with fast land settings (no polling limit), reset afterwards."""
    land = cdse_emulator.land
    land.reset()
    land.delays, land.min_poll_interval = (0.05, 0.1), 0.0
    yield cdse_emulator
    land.reset()


@pytest.fixture
def clms(land_emulator: Emulator) -> Clms:
    return Clms(land_emulator)


@pytest.fixture
def private_clms(cdse_emulator_factory) -> Clms:
    """A client of a private emulator, for tests that move the land clock by hours (a shared
    emulator's clock ahead of the wall clock would refuse other tests' grants)."""
    fast = {"delays": (0.05, 0.1), "min_poll_interval": 0.0}
    return Clms(cdse_emulator_factory(s3=False, deliver="showcase", land=fast))
