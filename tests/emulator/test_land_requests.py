"""CLMS data requests as tasks: lifecycle, polling limits, cancel, duplicates, faults, links."""

from __future__ import annotations

import pytest

from . import test_land_support as support
from .test_land_support import Clms, cut, ms

TORINO = [7.60, 45.10, 7.70, 45.00]  # west, north, east, south: the docs' example order

# the fixtures, by name
clms = support.clms
land_emulator = support.land_emulator
private_clms = support.private_clms


def test_request_moves_through_its_phases(clms: Clms, land_emulator):
    land_emulator.land.delays = (0.3, 0.3)
    response = clms.post([cut(BoundingBox=TORINO)])
    assert response.status_code == 201
    assert response.headers["Content-Type"] == "application/json"
    body = response.json()
    assert list(body) == ["ErrorTaskIds", "TaskIds"] and body["ErrorTaskIds"] == []
    task_id = body["TaskIds"][0]["TaskID"]
    assert task_id.isdigit()
    seen = [clms.status(task_id)["Status"]]
    final = clms.wait(task_id)
    seen.append(final["Status"])
    assert seen[0] == "Queued" and seen[-1] == "Finished_ok"
    assert list(final) == [
        "Datasets",
        "DownloadURL",
        "FMETaskId",
        "FileSize",
        "FinalizationDateTime",
        "Message",
        "RegistrationDateTime",
        "Status",
        "UserID",
    ]
    assert final["Message"] == "Download process finished successfully"
    assert final["UserID"] == clms.key["user_id"]
    assert final["DownloadURL"].endswith(f"/clmsdatadownload/results/{final['FMETaskId']}.zip")
    assert final["FinalizationDateTime"] > final["RegistrationDateTime"]
    echo = final["Datasets"][0]
    assert list(echo) == [
        "BoundingBox",
        "DatasetFormat",
        "DatasetID",
        "DatasetPath",
        "DatasetSource",
        "DatasetTitle",
        "Metadata",
        "OutputFormat",
        "OutputGCS",
        "WekeoChoices",
    ]
    assert echo["DatasetPath"] == "djMuMC4xLzIwMTk=" and echo["BoundingBox"] == TORINO
    head = clms.http.head(final["DownloadURL"])
    assert head.status_code == 200 and int(head.headers["Content-Length"]) == final["FileSize"]
    whole = clms.http.get(final["DownloadURL"]).content
    assert len(whole) == final["FileSize"]
    part = clms.http.get(final["DownloadURL"], headers={"Range": "bytes=10-19"})
    assert part.status_code == 206 and part.content == whole[10:20]
    listed = clms.get("@datarequest_search", status="Finished_ok").json()
    assert listed[task_id] == final
    assert task_id not in clms.get("@datarequest_search", status="Queued").json()
    assert len(land_emulator.state.requests(method="POST", path="/api/@datarequest_post")) == 1


def test_search_lists_only_the_callers_tasks(clms: Clms, land_emulator):
    mine = clms.request(cut(NUTS="ITC11"))
    other = Clms(land_emulator, land_emulator.land.issue_key("n00other"))
    theirs = other.request(cut(NUTS="ITC11"))  # the same cut: another user may
    assert mine in clms.get("@datarequest_search").json()
    assert theirs not in clms.get("@datarequest_search").json()
    refused = clms.get("@datarequest_status_get", TaskID=theirs)
    assert refused.status_code == 404
    assert clms.get("@datarequest_search", status="Done").status_code == 400


def test_eager_polling_gets_429_with_retry_after(clms: Clms, land_emulator):
    land_emulator.land.min_poll_interval = 30.0
    assert clms.get("@datarequest_search").status_code == 200
    refused = clms.get("@datarequest_search")
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 30
    assert clms.get("@datarequest_status_get", TaskID="1").status_code == 429
    land_emulator.land.clock.advance(30)
    assert clms.get("@datarequest_search").status_code == 200


def test_delete_cancels(clms: Clms, land_emulator):
    land_emulator.land.delays = (30.0, 30.0)
    task_id = clms.request(cut(NUTS="ITC1"))
    response = clms.delete(int(task_id))
    assert response.status_code == 204 and response.content == b""
    task = clms.status(task_id)
    assert task["Status"] == "Cancelled" and "FinalizationDateTime" in task
    assert clms.delete("12345").json() == {"msg": "Error, TaskID not registered", "status": "error"}
    assert clms.delete("12345").status_code == 403
    assert clms.delete(None).status_code == 400
    other = Clms(land_emulator, land_emulator.land.issue_key("n00other"))
    assert other.delete(task_id).status_code == 404


def test_identical_pending_request_is_refused(clms: Clms, land_emulator):
    land_emulator.land.delays = (30.0, 30.0)
    item = cut(NUTS="ITC11")
    task_id = clms.request(item)
    again = clms.post([item])
    assert again.status_code == 400
    assert again.json()["msg"].startswith("You have requested to download the same thing")
    assert clms.post([cut(NUTS="ITC1"), cut(NUTS="ITC1")]).status_code == 400  # within one
    clms.delete(task_id)
    again = clms.post([item])
    assert again.status_code == 201  # no longer pending
    clms.delete(again.json()["TaskIds"][0]["TaskID"])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"DatasetID": "0" * 32}, "Error, the DatasetID is not valid"),
        ({"NUTS": "XX11"}, "NUTS country error"),
        ({"BoundingBox": [1, 2, 3]}, "Error, BoundingBox is not valid"),
        (
            {"BoundingBox": [-10, 35, 30, 70]},
            "Error, the requested BoundingBox is too big. The limit is 1600000000000.",
        ),
        ({"OutputGCS": "EPSG:32632"}, "Error, defined GCS not in the list"),
        ({"OutputFormat": "Netcdf"}, "Error, specified formats are not compatible"),
        ({"OutputFormat": "PNG"}, "Error, the specified output format is not valid"),
        ({"DatasetDownloadInformationID": "x"}, "Error, this dataset is not downloadable"),
        (
            {"TemporalFilter": {"StartDate": 1, "EndDate": 2}},
            "Error, temporal restriction is not allowed in not time-series enabled datasets",
        ),
    ],
)
def test_invalid_requests_get_the_services_messages(clms: Clms, change, message):
    area = {} if "BoundingBox" in change else {"NUTS": "ITC11"}
    response = clms.post([cut(**{**area, **change})])
    assert response.status_code == 400
    assert response.json() == {"msg": message, "status": "error"}


def test_area_and_time_rules(clms: Clms):
    full = clms.post([cut()])
    assert full.json()["msg"].startswith("You are requesting to download the full dataset")
    both = clms.post([cut(NUTS="ITC11", BoundingBox=TORINO)])
    assert both.json()["msg"] == "Error, NUTS is also defined"
    ndvi = clms.get(
        "@search",
        token=None,
        SearchableText="NDVI300 OLCI",
        metadata_fields=["UID", "dataset_download_information"],
    ).json()["items"][0]
    dataset = (ndvi["UID"], ndvi["dataset_download_information"]["items"][0]["@id"])
    no_time = clms.post([cut(dataset, NUTS="ITC11")])
    assert no_time.json()["msg"].startswith("You are requesting to download a time series")
    too_long = cut(
        dataset,
        NUTS="ITC11",
        TemporalFilter={"StartDate": ms(2021, 1, 1), "EndDate": ms(2021, 12, 31)},
    )
    assert "bigger than the allowed range of 120 days" in clms.post([too_long]).json()["msg"]
    reversed_ = cut(
        dataset,
        NUTS="ITC11",
        TemporalFilter={"StartDate": ms(2021, 2, 1), "EndDate": ms(2021, 1, 1)},
    )
    assert "is not coherent" in clms.post([reversed_]).json()["msg"]
    many = [cut(NUTS=code) for code in ("ITC11", "ITC1", "ITC", "ITC4", "ITC4C", "FR101")]
    assert clms.post(many).json()["msg"].startswith("The download queue can only process 5")


def test_failed_and_lost_tasks(clms: Clms, land_emulator):
    land = land_emulator.land
    failing = clms.request(cut(NUTS="ITC11"))
    land.fail(failing, "FME job failed: disk full")
    task = clms.wait(failing)
    assert task["Status"] == "Finished_nok" and task["Message"] == "FME job failed: disk full"
    assert "DownloadURL" not in task
    lost = clms.request(cut(NUTS="ITC1"))
    land.lose(lost)
    assert lost not in clms.get("@datarequest_search").json()
    assert clms.get("@datarequest_status_get", TaskID=lost).status_code == 404
    land.failure_share = 1.0
    shared = clms.request(cut(NUTS="BE100"))
    assert clms.wait(shared)["Status"] == "Finished_nok"
    land.failure_share = 0.0
    unknown_region = clms.request(cut(NUTS="ITH10"))  # valid code, no geometry in the emulator
    assert "not available" in clms.wait(unknown_region)["Message"]


def test_links_expire_after_72_hours_or_on_demand(private_clms: Clms):
    clms, land = private_clms, private_clms.emu.land
    ids = [clms.request(cut(BoundingBox=box)) for box in (TORINO, [7.7, 45.0, 7.8, 45.1])]
    first, second = (clms.wait(task_id) for task_id in ids)
    assert clms.http.get(first["DownloadURL"]).status_code == 200
    land.expire_link(ids[0])
    assert clms.http.get(first["DownloadURL"]).status_code == 404
    assert clms.http.get(second["DownloadURL"]).status_code == 200
    land.clock.advance(72 * 3600 + 1)
    assert clms.http.get(second["DownloadURL"]).status_code == 404
    clms._token = None  # the token expired too (an hour): a new grant
    assert set(ids) <= set(clms.get("@datarequest_search").json())  # still listed
