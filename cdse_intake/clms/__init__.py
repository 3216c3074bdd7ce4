"""The Copernicus Land Monitoring Service (CLMS) API: datasets, data requests as jobs.

``search("NDVI")`` lists datasets (anonymous); ``request(dataset, bbox=..., output_format=...,
crs=...)`` posts a cut once and returns a :class:`CLMSJob` kept in the cache, which ``wait()``
polls politely and ``download()`` fetches once, verified and unpacked. Requests need a CLMS
service key: ``service_key=``, ``CDSE_CLMS_SERVICE_KEY`` or ``[settings] clms_service_key``.
``cdse_copy()`` says where CDSE itself holds a dataset (no queue, no expiring link).
"""

from __future__ import annotations

from ..auth.service_key import ServiceKey
from ._api import cdse_copy, dataset, file_urls_of, job, jobs, projections_of, request, search
from .cdse_copy import CDSECopy
from .datasets import CLMSDataset, CLMSDatasets, DownloadInformation
from .job import CLMSJob
from .requests import CLMSRequest
from .tasks import TaskStatus

__all__ = [
    "CDSECopy",
    "CLMSDataset",
    "CLMSDatasets",
    "CLMSJob",
    "CLMSRequest",
    "DownloadInformation",
    "ServiceKey",
    "TaskStatus",
    "cdse_copy",
    "dataset",
    "file_urls_of",
    "job",
    "jobs",
    "projections_of",
    "request",
    "search",
]
