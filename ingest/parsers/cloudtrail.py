"""AWS CloudTrail records (one JSON object per line, as exported or shipped) as fields.

app = eventSource (``s3.amazonaws.com``), action = eventName (``GetObject``), event_type =
eventType, event_id = eventID, user = the IAM user or role name, src_ip = sourceIPAddress (when
it is an address, not a service name), object = ``bucket/key`` for S3, outcome = failure when
errorCode is set, bytes_out / bytes_in = additionalEventData.bytesTransferredOut / In. The time
is eventTime, or ``@timestamp`` when a shipper replaced it. The access key stays in attrs as
``userIdentity.accessKeyId``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from ingest.parsers.columns import Fields, first_present, is_ip, to_int
from ingest.parsers.times import to_time

_USER_KEYS: Final = (
    "userIdentity.userName",
    "userIdentity.sessionContext.sessionIssuer.userName",
    "userIdentity.arn",
    "userIdentity.principalId",
    "userIdentity.invokedBy",
)
_MAPPED: Final = frozenset(
    {
        "eventTime",
        "@timestamp",
        "eventSource",
        "eventName",
        "eventType",
        "eventID",
        "sourceIPAddress",
        "additionalEventData.bytesTransferredOut",
        "additionalEventData.bytesTransferredIn",
    }
)


def is_cloudtrail(flat: Mapping[str, object]) -> bool:
    """True for a record with CloudTrail's eventSource and eventName."""
    return "eventSource" in flat and "eventName" in flat


def map_cloudtrail(flat: Mapping[str, object], f: Fields) -> set[str]:
    """Fill ``f`` from a flattened CloudTrail record; returns the keys it used."""
    f.event_time = to_time(first_present(flat, ("eventTime", "@timestamp")))
    f.app = _text(flat.get("eventSource"))
    f.action = _text(flat.get("eventName"))
    f.event_type = _text(flat.get("eventType"))
    f.event_id = _text(flat.get("eventID"))
    f.user = _text(first_present(flat, _USER_KEYS))
    source = _text(flat.get("sourceIPAddress"))
    f.src_ip = source if is_ip(source) else None
    f.object = _object(flat)
    f.outcome = "failure" if flat.get("errorCode") else "success"
    f.bytes_out = to_int(flat.get("additionalEventData.bytesTransferredOut"))
    f.bytes_in = to_int(flat.get("additionalEventData.bytesTransferredIn"))
    f.message = _text(flat.get("errorMessage"))
    used = set(_MAPPED)
    if f.src_ip is None:
        used.discard("sourceIPAddress")
    return used


def _object(flat: Mapping[str, object]) -> str | None:
    bucket = _text(flat.get("requestParameters.bucketName"))
    key = _text(flat.get("requestParameters.key"))
    if bucket and key:
        return f"{bucket}/{key}"
    return bucket


def _text(value: object) -> str | None:
    return None if value is None or value == "" else str(value)
