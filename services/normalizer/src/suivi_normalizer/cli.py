"""`suivi-normalize --provider SLUG FILE`: a webhook body in, its canonical events out (JSON lines).

Same adapters and serialization as the service on Kafka; FILE `-` reads standard input.
`suivi-normalize --detect NUMBER` prints the carriers a tracking number may belong to instead.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

from suivi_normalizer.domain.normalize import normalize
from suivi_normalizer.providers import AdapterError
from suivi_normalizer.testing.envelope import envelope_for
from suivi_schemas.detection import detect
from suivi_schemas.providers import SLUGS


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="suivi-normalize", description=__doc__)
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--provider", choices=sorted(SLUGS))
    mode.add_argument(
        "--detect",
        metavar="NUMBER",
        help="print the carriers NUMBER may belong to, best first (JSON lines), and exit",
    )
    parser.add_argument(
        "file", nargs="?", help="the body exactly as the provider POSTs it, or - for stdin"
    )
    args = parser.parse_args(argv)
    if args.detect is not None:
        if args.file is not None:
            parser.error("--detect takes no FILE")
        return _detect(args.detect)
    if args.file is None:
        parser.error("the following arguments are required: file")
    try:
        data = sys.stdin.buffer.read() if args.file == "-" else Path(args.file).read_bytes()
    except OSError as exc:
        print(f"suivi-normalize: cannot read {args.file}: {exc.strerror}", file=sys.stderr)
        return 1
    try:
        body = data.decode("utf-8")
        events = normalize(envelope_for(args.provider, body, datetime.now(UTC)))
    except UnicodeDecodeError as exc:
        print(f"suivi-normalize: body is not UTF-8 (byte {exc.start})", file=sys.stderr)
        return 1
    except AdapterError as exc:
        print(f"suivi-normalize: invalid {args.provider} payload: {exc}", file=sys.stderr)
        return 1
    out = sys.stdout
    for event in events:
        out.write(event.model_dump_json())
        out.write("\n")
    return 0


def _detect(number: str) -> int:
    candidates = detect(number)
    if not candidates:
        print(f"suivi-normalize: no known carrier format matches {number!r}", file=sys.stderr)
        return 1
    for candidate in candidates:
        line = {
            "carrier": candidate.carrier,
            "confidence": candidate.confidence,
            "reason": candidate.reason,
        }
        sys.stdout.write(json.dumps(line) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
