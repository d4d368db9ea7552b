"""XML answers (Canada Post, DPD's and Mondial Relay's SOAP services) as plain nested dicts.

Polled XML reaches the normalizer inside a JSON envelope the tracker writes, without reading it:
`{"number": "<the polled number>", "xml": "<the answer, verbatim>"}` (tracking.raw.v1 bodies
are JSON objects). Parsing goes through defusedxml (no entities, no external references).
Namespaces are dropped from tag names; an element's children become keys, a repeated child a
list, a leaf its stripped text ("" when empty).
"""

from __future__ import annotations

from typing import Any
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException  # type: ignore[import-untyped]
from defusedxml.ElementTree import fromstring  # type: ignore[import-untyped]

from suivi_normalizer.providers.base import AdapterError

MAX_XML_CHARS = 900_000


def _tag(element: Element) -> str:
    return element.tag.rsplit("}", 1)[-1]


def _tree(element: Element) -> Any:
    children = list(element)
    if not children:
        return (element.text or "").strip()
    node: dict[str, Any] = {}
    for child in children:
        key, value = _tag(child), _tree(child)
        if key not in node:
            node[key] = value
        elif isinstance(node[key], list) and node.get(f"_{key}_many"):
            node[key].append(value)
        else:
            node[key] = [node[key], value]
            node[f"_{key}_many"] = True
    return {k: v for k, v in node.items() if not k.startswith("_")}


def envelope(payload: Any, what: str) -> tuple[str, dict[str, Any]]:
    """(polled number, the XML document's root as a dict) from the tracker's JSON envelope."""
    if not isinstance(payload, dict):
        raise AdapterError(f"$: expected a JSON object (a {what} answer in its envelope)")
    polled = payload.get("number")
    xml = payload.get("xml")
    if not isinstance(xml, str) or not xml.strip():
        raise AdapterError("$.xml: missing (the XML answer)")
    if len(xml) > MAX_XML_CHARS:
        raise AdapterError("$.xml: too large")
    try:
        root = fromstring(xml)
    except (ParseError, DefusedXmlException, ValueError) as exc:
        raise AdapterError(f"$.xml: not well-formed XML or refused ({type(exc).__name__})") from exc
    tree = _tree(root)
    return (polled if isinstance(polled, str) else ""), {_tag(root): tree}


def find(node: Any, *names: str) -> Any:
    """The first element named `names[-1]` under the path `names`, searched depth-first."""
    if not names:
        return node
    if isinstance(node, dict):
        if names[0] in node:
            found = find(node[names[0]], *names[1:])
            if found is not None:
                return found
        for value in node.values():
            found = find(value, *names)
            if found is not None:
                return found
    elif isinstance(node, list):
        for value in node:
            found = find(value, *names)
            if found is not None:
                return found
    return None
