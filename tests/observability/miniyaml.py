"""A strict reader of the YAML subset the deploy/ files use (the workspace has no YAML library).

Block mappings and sequences, plain and quoted scalars (all read as strings), flat flow
sequences (`["a", b]`), `{}`/`[]`, block scalars (`|`, `|-`, `>`, `>-`) and comments. Anything
else (anchors, aliases, tags, flow mappings, multi-line plain scalars) raises `YamlError`, so a
file that outgrows the subset fails loudly instead of being misread.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_KEY = re.compile(
    r"""^(?P<key>"[^"]*"|'[^']*'|[^\s'"#\[\]{}&*!|>][^:#]*?)\s*:(?:\s+(?P<rest>.*))?$"""
)


class YamlError(ValueError):
    pass


@dataclass
class _Line:
    number: int
    indent: int
    text: str


def loads(source: str) -> Any:
    lines = []
    for number, raw in enumerate(source.splitlines(), start=1):
        if raw.strip() in ("", "---") or raw.lstrip().startswith("#"):
            lines.append(_Line(number, -1, raw))  # kept for block scalars
            continue
        if "\t" in raw[: len(raw) - len(raw.lstrip())]:
            raise YamlError(f"line {number}: tab in indentation")
        lines.append(_Line(number, len(raw) - len(raw.lstrip(" ")), raw))
    parser = _Parser(lines)
    value = parser.block(0)
    if parser.peek() is not None:
        line = parser.peek()
        assert line is not None
        raise YamlError(f"line {line.number}: unexpected indentation")
    return value


class _Parser:
    def __init__(self, lines: list[_Line]) -> None:
        self.lines = lines
        self.pos = 0

    def peek(self) -> _Line | None:
        while self.pos < len(self.lines) and self.lines[self.pos].indent < 0:
            self.pos += 1
        return self.lines[self.pos] if self.pos < len(self.lines) else None

    def block(self, indent: int) -> Any:
        line = self.peek()
        if line is None or line.indent < indent:
            return None
        if line.text.strip().startswith("- ") or line.text.strip() == "-":
            return self.sequence(line.indent)
        return self.mapping(line.indent)

    def sequence(self, indent: int) -> list[Any]:
        items: list[Any] = []
        while (line := self.peek()) is not None and line.indent == indent:
            text = _strip_comment(line.text.strip())
            if not (text.startswith("- ") or text == "-"):
                break  # the enclosing mapping's next key (`key:` then items at its indent)
            rest = text[1:].strip()
            self.pos += 1
            if not rest:
                items.append(self.block(indent + 1))
            elif _KEY.match(rest) and not rest.startswith(("'", '"', "[")):
                # A mapping inside the item: its keys are indented like `rest`.
                inner = len(line.text) - len(line.text.lstrip(" -"))
                self.lines[self.pos - 1] = _Line(line.number, inner, " " * inner + rest)
                self.pos -= 1
                items.append(self.mapping(inner))
            else:
                items.append(self.scalar(rest, line, indent))
        return items

    def mapping(self, indent: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        while (line := self.peek()) is not None and line.indent == indent:
            text = _strip_comment(line.text.strip())
            match = _KEY.match(text)
            if match is None:
                raise YamlError(f"line {line.number}: expected 'key: value'")
            key = _unquote(match.group("key").strip(), line)
            if key in out:
                raise YamlError(f"line {line.number}: duplicate key {key!r}")
            rest = (match.group("rest") or "").strip()
            self.pos += 1
            if not rest:
                nxt = self.peek()
                if nxt is not None and (nxt.indent > indent or _is_item_at(nxt, indent)):
                    out[key] = self.block(nxt.indent)
                else:
                    out[key] = None
            else:
                out[key] = self.scalar(rest, line, indent)
        return out

    def scalar(self, text: str, line: _Line, indent: int) -> Any:
        if text[0] in "&*!":
            raise YamlError(f"line {line.number}: anchors, aliases and tags are not supported")
        if text[0] in "|>":
            return self.block_scalar(text, indent)
        if text == "{}":
            return {}
        if text.startswith("{"):
            raise YamlError(f"line {line.number}: flow mappings are not supported")
        if text.startswith("["):
            return _flow_sequence(text, line)
        return _unquote(text, line)

    def block_scalar(self, header: str, indent: int) -> str:
        style, chomp = header[0], header[1:].strip()
        if chomp not in ("", "-"):
            raise YamlError(f"block scalar header {header!r} is not supported")
        body: list[str] = []
        block_indent: int | None = None
        while self.pos < len(self.lines):
            line = self.lines[self.pos]
            if line.indent >= 0 and line.indent <= indent:
                break
            if line.indent >= 0:
                block_indent = line.indent if block_indent is None else block_indent
            body.append(line.text)
            self.pos += 1
        while body and not body[-1].strip():
            body.pop()
        cut = block_indent or 0
        texts = [b[cut:] if b.strip() else "" for b in body]
        if style == "|":
            value = "\n".join(texts)
        else:
            paragraphs: list[str] = []
            current: list[str] = []
            for t in texts:
                if t:
                    current.append(t.strip())
                else:
                    paragraphs.append(" ".join(current))
                    current = []
            paragraphs.append(" ".join(current))
            value = "\n".join(paragraphs)
        return value if chomp == "-" else value + "\n"


def _is_item_at(line: _Line, indent: int) -> bool:
    return line.indent == indent and line.text.strip().startswith("- ")


def _strip_comment(text: str) -> str:
    quote: str | None = None
    for i, ch in enumerate(text):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "'\"" and (i == 0 or text[i - 1] in " [,:"):
            quote = ch
        elif ch == "#" and (i == 0 or text[i - 1] == " "):
            return text[:i].rstrip()
    return text


def _unquote(text: str, line: _Line) -> str:
    if text.startswith("'"):
        if not text.endswith("'") or len(text) < 2:
            raise YamlError(f"line {line.number}: unterminated quote")
        return text[1:-1].replace("''", "'")
    if text.startswith('"'):
        if not text.endswith('"') or len(text) < 2:
            raise YamlError(f"line {line.number}: unterminated quote")
        return text[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    return text


def _flow_sequence(text: str, line: _Line) -> list[str]:
    if not text.endswith("]"):
        raise YamlError(f"line {line.number}: flow sequences must fit on one line")
    inner = text[1:-1].strip()
    if not inner:
        return []
    items: list[str] = []
    current = ""
    quote: str | None = None
    for ch in inner:
        if quote:
            current += ch
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
            current += ch
        elif ch == ",":
            items.append(_unquote(current.strip(), line))
            current = ""
        elif ch in "[]{}":
            raise YamlError(f"line {line.number}: nested flow collections are not supported")
        else:
            current += ch
    items.append(_unquote(current.strip(), line))
    return items
