"""The CLMS download tool's calls: post a request, a task's status, cancel, and the lists a
request is checked against (format conversions, projections) or served by (prepackaged files).

Task statuses (clms.downloadtool): ``Queued``, ``In_progress``, ``Finished_ok`` (with
``DownloadURL`` and ``FileSize``), ``Finished_nok``, ``Cancelled``, ``Rejected``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import (
    CLMSAuthenticationError,
    CLMSError,
    CLMSQueryError,
    CLMSTaskFailed,
    ProductNotFound,
    ServiceError,
)
from ._http import CLMSSession
from .requests import CLMSRequest

__all__ = [
    "FAILED",
    "FINISHED",
    "TaskStatus",
    "conversion_table",
    "delete_task",
    "file_urls",
    "pending_task_of",
    "post_request",
    "projections",
    "task_status",
]

FINISHED = "Finished_ok"
FAILED = frozenset({"Finished_nok", "Cancelled", "Rejected", "Timed_out"})


@dataclass(frozen=True)
class TaskStatus:
    """What CLMS says of a task (``@datarequest_status_get``)."""

    task_id: str
    status: str
    message: str | None = None
    download_url: str | None = None
    file_size: int | None = None
    registered: str | None = None
    finalized: str | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def done(self) -> bool:
        """Whether the result is ready (``Finished_ok`` with a link)."""
        return self.status == FINISHED and bool(self.download_url)

    @property
    def failed(self) -> bool:
        """Whether the task ended without a result."""
        return self.status in FAILED or (self.status == FINISHED and not self.download_url)

    @classmethod
    def parse(cls, task_id: str, body: Any) -> TaskStatus:
        if not isinstance(body, Mapping) or not isinstance(body.get("Status"), str):
            raise ServiceError(f"CLMS status of task {task_id} has no Status: {str(body)[:200]}")
        size = body.get("FileSize")
        return cls(
            task_id=str(task_id),
            status=body["Status"],
            message=body.get("Message") if isinstance(body.get("Message"), str) else None,
            download_url=body.get("DownloadURL") or None,
            file_size=int(size) if isinstance(size, int | float) and size >= 0 else None,
            registered=body.get("RegistrationDateTime"),
            finalized=body.get("FinalizationDateTime"),
            raw=dict(body),
        )


async def post_request(session: CLMSSession, request: CLMSRequest) -> str:
    """Post ``request``; its TaskID. ``ErrorTaskIds`` or an answer other than 201 raise."""
    # Not retried: a post that reached CLMS but whose answer was lost would make a second task.
    status, body = await session.request(
        "POST", "@datarequest_post", body=request.body(), retry=False
    )
    errors = body.get("ErrorTaskIds") if isinstance(body, Mapping) else None
    ids = body.get("TaskIds") if isinstance(body, Mapping) else None
    if errors:
        raise CLMSTaskFailed(
            f"CLMS refused the request for {request.describe()}: {str(errors)[:300]}",
            status=status,
        )
    if status != 201 or not isinstance(ids, list) or len(ids) != 1:
        raise ServiceError(
            f"CLMS answered @datarequest_post with HTTP {status} and {str(body)[:200]}; expected "
            "201 and one TaskID",
            status=status,
        )
    task_id = ids[0].get("TaskID") if isinstance(ids[0], Mapping) else None
    if not isinstance(task_id, str | int) or not str(task_id).strip():
        raise ServiceError(f"CLMS gave no usable TaskID: {str(body)[:200]}", status=status)
    return str(task_id)


#: Statuses of a task CLMS still works on: a request repeating one of them is refused.
PENDING = frozenset({"Queued", "In_progress"})


def _echo_matches(echo: Mapping[str, Any], request: CLMSRequest) -> bool:
    """Whether a task's echo of a dataset (``Datasets[i]``) is ``request``'s."""
    mine = request.payload()
    if echo.get("DatasetID") != mine["DatasetID"] or echo.get("OutputGCS") != mine["OutputGCS"]:
        return False
    if str(echo.get("OutputFormat", "")).casefold() != mine["OutputFormat"].casefold():
        return False
    if "BoundingBox" in mine and echo.get("BoundingBox") != mine["BoundingBox"]:
        return False
    if "NUTS" in mine and echo.get("NUTSID") != mine["NUTS"]:
        return False
    if echo.get("Layer") != mine.get("Layer"):
        return False
    if request.time is not None:
        fmt = "%Y-%m-%d %H:%M:%S"
        wanted = {
            "StartDate": request.time[0].strftime(fmt),
            "EndDate": request.time[1].strftime(fmt),
        }
        return echo.get("TemporalFilter") == wanted
    return "TemporalFilter" not in echo


async def pending_task_of(session: CLMSSession, request: CLMSRequest) -> str | None:
    """The id of the user's queued or in-progress task that is ``request`` (None: none, or
    several): what CLMS refused a repeated request for ("the same thing at least twice")."""
    _, body = await session.request("GET", "@datarequest_search")
    if not isinstance(body, Mapping):
        return None
    found = [
        str(task_id)
        for task_id, task in body.items()
        if isinstance(task, Mapping)
        and task.get("Status") in PENDING
        and isinstance(task.get("Datasets"), list)
        and len(task["Datasets"]) == 1
        and isinstance(task["Datasets"][0], Mapping)
        and _echo_matches(task["Datasets"][0], request)
    ]
    return found[0] if len(found) == 1 else None


async def task_status(session: CLMSSession, task_id: str) -> TaskStatus:
    """One ``@datarequest_status_get``; a task CLMS no longer knows raises CLMSTaskFailed."""
    try:
        _, body = await session.request(
            "GET", "@datarequest_status_get", params={"TaskID": task_id}, retry=False
        )
    except (ProductNotFound, CLMSQueryError) as err:
        raise CLMSTaskFailed(
            f"CLMS no longer knows task {task_id} ({err.message}); it was lost or removed",
            task_id=str(task_id),
            status=err.status,
        ) from err
    return TaskStatus.parse(task_id, body)


async def delete_task(session: CLMSSession, task_id: str) -> None:
    """Cancel task ``task_id`` (``@datarequest_delete``); one CLMS no longer knows is fine."""
    body = {"TaskID": int(task_id) if str(task_id).isdigit() else task_id}
    try:
        await session.request("DELETE", "@datarequest_delete", body=body)
    except (ProductNotFound, CLMSQueryError):
        return
    except CLMSAuthenticationError as err:
        if "not registered" not in err.message:  # 403 "Error, TaskID not registered": gone
            raise


async def conversion_table(session: CLMSSession) -> dict[str, dict[str, bool]]:
    """``@format_conversion_table``: source format -> output format -> allowed."""
    _, body = await session.request(
        "GET", "@format_conversion_table", auth=session.tokens is not None
    )
    if not isinstance(body, Mapping):
        raise ServiceError("CLMS @format_conversion_table is not an object")
    return {
        str(k): {str(f): bool(ok) for f, ok in v.items()}
        for k, v in body.items()
        if isinstance(v, Mapping)
    }


async def projections(session: CLMSSession, uid: str) -> list[str]:
    """``@projections?uid=``: the output projections of dataset ``uid``."""
    _, body = await session.request(
        "GET", "@projections", params={"uid": uid}, auth=session.tokens is not None
    )
    if not isinstance(body, list):
        raise ServiceError(f"CLMS @projections of {uid} is not a list")
    return [str(p) for p in body]


async def file_urls(
    session: CLMSSession,
    uid: str,
    info_id: str,
    date_from: str | None = None,
    date_to: str | None = None,
) -> list[str]:
    """``@get-download-file-urls``: direct links of a dataset's files (where CLMS has them)."""
    params = {"dataset_uid": uid, "download_information_id": info_id}
    if date_from:
        params["date_from"] = date_from
    if date_to:
        params["date_to"] = date_to
    _, body = await session.request("GET", "@get-download-file-urls", params=params)
    if isinstance(body, Mapping) and isinstance(body.get("items"), list):
        body = body["items"]
    if isinstance(body, Mapping) and body.get("status") == "error":
        said = str(body.get("msg") or body.get("message") or "")
        if "no content" in said.lower():  # CLMS's 200 for an empty date range or no files
            return []
        raise CLMSQueryError(f"CLMS @get-download-file-urls refused: {said[:300]}")
    if not isinstance(body, list):
        raise CLMSError(f"CLMS @get-download-file-urls answered {str(body)[:200]}")
    return [str(u) for u in body]
