"""XML answers (Canada Post, DPD's and Mondial Relay's SOAP services) as plain nested dicts.

Polled XML reaches the normalizer inside a JSON envelope the tracker writes, without reading it:
`{"number": "<the polled number>", "xml": "<the answer, verbatim>"}` (tracking.raw.v1 bodies
are JSON objects). No entities, no external references: a document declaring entities is
refused as defusedxml refuses it, and the rest is parsed by ElementTree's C parser (expat
2.4.1+ also bounds entity amplification; it fetches nothing), half the cost of defusedxml's
Python one; a test proves both readings equal on every fixture and refuse the same documents.
Namespaces are dropped from tag names; an element's children become keys, a repeated child a
list, a leaf its stripped text ("" when empty).
"""

from __future__ import annotations

from typing import Any
from xml.etree.ElementTree import XML, Element, ParseError

from suivi_normalizer.providers.base import AdapterError

MAX_XML_CHARS = 900_000


# An entity declaration (internal, external or parameter: `<!ENTITY` is case-sensitive and
# one token in XML): refused before parsing, as defusedxml's EntitiesForbidden.
_ENTITY = "<!ENTITY"
_tags: dict[str, str] = {}


def _tag(element: Element) -> str:
    tag = element.tag
    name = _tags.get(tag)
    if name is None:  # a few tag names per service: each stripped of its namespace once
        if len(_tags) >= 4096:
            _tags.clear()
        name = _tags[tag] = tag.rsplit("}", 1)[-1]
    return name


def _tree(element: Element) -> Any:
    if not len(element):
        return (element.text or "").strip()
    node: dict[str, Any] = {}
    for child in element:
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
    if _ENTITY in xml:
        raise AdapterError("$.xml: not well-formed XML or refused (EntitiesForbidden)")
    try:
        root = XML(xml)
    except (ParseError, ValueError) as exc:
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
