"""UPS Track API answers (`trackResponse`, polled by the tracker) → the Track Alert events the
ups adapter reads; the choices are in the ups module's docstring."""

from __future__ import annotations

from typing import Any

from suivi_normalizer.providers.base import AdapterError


def _list(container: Any, key: str, path: str) -> list[Any]:
    value = container.get(key) if isinstance(container, dict) else None
    if value is None:
        return []
    if not isinstance(value, list):
        raise AdapterError(f"{path}.{key}: expected a list")
    return value


def as_alerts(response: Any) -> list[dict[str, Any]]:
    """Every activity of every package of a Track API answer, as a Track Alert event."""
    if not isinstance(response, dict):
        raise AdapterError("$.trackResponse: expected an object")
    events: list[dict[str, Any]] = []
    for i, shipment in enumerate(_list(response, "shipment", "$.trackResponse")):
        path = f"$.trackResponse.shipment[{i}]"
        for j, package in enumerate(_list(shipment, "package", path)):
            events.extend(_package(package, f"{path}.package[{j}]"))
    return events


def _package(package: Any, path: str) -> list[dict[str, Any]]:
    if not isinstance(package, dict):
        raise AdapterError(f"{path}: expected an object")
    dates = {
        str(d.get("type")): str(d.get("date") or "")
        for d in _list(package, "deliveryDate", path)
        if isinstance(d, dict)
    }
    activities = _list(package, "activity", path)
    # UPS lists activities newest first; the first D activity is the delivery, if any.
    last_delivery = next(
        (i for i, a in enumerate(activities) if isinstance(a, dict)
         and isinstance(a.get("status"), dict) and a["status"].get("type") == "D"),
        None,
    )  # fmt: skip
    events: list[dict[str, Any]] = []
    for i, activity in enumerate(activities):
        if not isinstance(activity, dict):
            raise AdapterError(f"{path}.activity[{i}]: expected an object")
        event = _as_alert(package, activity, f"{path}.activity[{i}]")
        if i == last_delivery and dates.get("DEL"):
            event["actualDeliveryDate"] = dates["DEL"]
        if i == 0:
            event["scheduledDeliveryDate"] = dates.get("RDD") or dates.get("SDD") or ""
        events.append(event)
    return events


def _as_alert(package: dict[str, Any], activity: dict[str, Any], path: str) -> dict[str, Any]:
    """The Track Alert event an activity corresponds to."""
    status = activity.get("status")
    if not isinstance(status, dict):
        raise AdapterError(f"{path}.status: missing")
    location = activity.get("location")
    address = location.get("address") if isinstance(location, dict) else None
    place: dict[str, Any] = {}
    if isinstance(address, dict):
        country = address.get("countryCode") or address.get("country")
        place = {"city": address.get("city"), "stateProvince": address.get("stateProvince"),
                 "postalCode": address.get("postalCode"), "country": country}  # fmt: skip
    gmt_time = activity.get("gmtTime")
    return {
        "trackingNumber": package.get("trackingNumber"),
        "localActivityDate": activity.get("date"),
        "localActivityTime": activity.get("time"),
        "gmtActivityDate": activity.get("gmtDate"),
        "gmtActivityTime": gmt_time.replace(":", "") if isinstance(gmt_time, str) else gmt_time,
        "gmtOffset": activity.get("gmtOffset"),
        "activityLocation": place or None,
        "activityStatus": {
            "type": status.get("type"),
            "code": status.get("code"),
            "description": status.get("description"),
            "descriptionCode": status.get("statusCode"),
        },
    }
