"""`python -m demo`: merchants send ~20 orders, carriers post signed webhooks for them over a few
minutes (`--fast`: seconds), then the private status-page link of every order is printed.

Configuration is the platform's own (the development env file `deploy/run/dev.env`, overridden
by the environment): provider secrets, merchant API keys, SUIVI_TOKEN_KEY, the services' ports.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import sys
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx
from pydantic import SecretStr

from demo.plan import Action, Clock, Plan, PlannedOrder, build_plan
from demo.scenarios import SPAN
from demo.webhooks import ROOT, signed_request
from suivi_infra.tokens import DEVELOPMENT_TOKEN_KEY

DEFAULT_ENV_FILE = ROOT / "deploy" / "run" / "dev.env"
FAST_SPEED = 15.0


def read_env_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines (as `honcho -e` reads them): comments and blank lines skipped, one level
    of surrounding quotes removed."""
    values: dict[str, str] = {}
    if not path.exists():
        return values
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key.strip()] = value
    return values


def merchant_keys(env: Mapping[str, str]) -> dict[str, str]:
    """The first API key of each merchant in SUIVI_INGEST_MERCHANT_KEYS ('merchant:key,…')."""
    keys: dict[str, str] = {}
    for entry in env.get("SUIVI_INGEST_MERCHANT_KEYS", "").split(","):
        merchant, sep, key = entry.strip().partition(":")
        if sep and merchant and key:
            keys.setdefault(merchant.strip().lower(), key.strip())
    return keys


@dataclass
class Urls:
    """Where the demo reaches the services (local ports by default; SUIVI_DEMO_*_URL in
    containers), and the public base of the status-page links it prints."""

    ingest: str
    projections: str
    notifier: str
    push_peer: str
    links: str
    standins: str = "http://127.0.0.1:8090"

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Urls:
        def local(port_var: str, default: int) -> str:
            return f"http://127.0.0.1:{env.get(port_var) or default}"

        projections = env.get("SUIVI_DEMO_PROJECTIONS_URL") or local("SUIVI_PROJECTIONS_PORT", 8081)
        return cls(
            ingest=env.get("SUIVI_DEMO_INGEST_URL") or local("SUIVI_INGEST_PORT", 8080),
            projections=projections,
            notifier=env.get("SUIVI_DEMO_NOTIFIER_URL") or local("SUIVI_NOTIFIER_PORT", 8082),
            push_peer=env.get("SUIVI_DEMO_PUSH_URL") or "http://127.0.0.1:8086",
            links=env.get("SUIVI_NOTIFIER_STATUS_PAGE_BASE_URL") or projections,
            standins=env.get("SUIVI_DEMO_STANDINS_URL") or local("SUIVI_DEMO_STANDINS_PORT", 8090),
        )


@dataclass
class Driver:
    plan: Plan
    env: Mapping[str, str]
    urls: Urls
    http: httpx.AsyncClient
    quiet: bool = False
    outcomes: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)
    background: list[asyncio.Task[None]] = field(default_factory=list)

    def say(self, at: float, text: str) -> None:
        if not self.quiet:
            print(f"[{at:5.0f}s] {text}", flush=True)

    async def play(self) -> None:
        started = time.monotonic()
        for action in self.plan.actions:
            delay = started + self.plan.clock.offset_seconds(action.at) - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            await self.perform(action)
        if self.background:
            await asyncio.gather(*self.background)

    async def perform(self, action: Action) -> None:
        if action.kind == "order":
            await self.send_order(action)
        elif action.kind == "push":
            assert action.order is not None
            self.background.append(asyncio.create_task(self.subscribe(action.at, action.order)))
        elif action.kind == "webhook":
            await self.send_webhook(action, expect=202)
        elif action.kind == "poison":
            await self.send_webhook(action, expect=202, note="unreadable body: dead-lettered")
        else:
            await self.send_bad_signature(action)

    async def send_order(self, action: Action) -> None:
        order = action.order
        assert order is not None
        key = merchant_keys(self.env).get(order.merchant)
        if key is None:
            self.problem(f"no API key for merchant {order.merchant} in SUIVI_INGEST_MERCHANT_KEYS")
            return
        response = await self.post(
            f"{self.urls.ingest}/v1/orders",
            json=order.body,
            headers={"Authorization": f"Bearer {key}"},
        )
        self.record("order", response, 202, action.at, "order API", order)
        if response is not None and response.status_code == 202:
            # The links are derived from the order's identity: valid from now on (the page
            # answers once the projector has the order, a second or so later).
            self.say(
                action.at, f"  {order.order_number} status page: {status_link(self.urls, order)}"
            )
            self.say(
                action.at, f"  {order.order_number} share link:  {share_link(self.urls, order)}"
            )

    async def send_webhook(self, action: Action, *, expect: int, note: str = "") -> None:
        path, headers = signed_request(action.provider, action.body, self.env)
        response = await self.post(
            f"{self.urls.ingest}{path}", content=action.body, headers=headers
        )
        what = f"{action.provider:9} webhook" + (f" ({note})" if note else "")
        if action.statuses:
            what += f" [{', '.join(dict.fromkeys(action.statuses))}]"
        self.record(action.kind, response, expect, action.at, what, action.order)

    async def send_bad_signature(self, action: Action) -> None:
        headers = {"Content-Type": "application/json", "X-Hmac-Signature": "hmac-sha256-hex=00"}
        response = await self.post(
            f"{self.urls.ingest}/v1/webhooks/{action.provider}",
            content=action.body,
            headers=headers,
        )
        self.record(action.kind, response, 401, action.at, "webhook with a wrong signature", None)

    async def subscribe(self, at: float, order: PlannedOrder) -> None:
        """A browser of the push peer subscribes on the order's status page (as the page's
        script would): retried while the notifier has not consumed the order yet (404)."""
        try:
            browser = await self.http.post(f"{self.urls.push_peer}/browsers")
            browser.raise_for_status()
        except httpx.HTTPError as exc:
            self.say(at, f"push: no push peer at {self.urls.push_peer} ({type(exc).__name__})")
            self.outcomes["push skipped"] += 1
            return
        body = {"token": order.status_token, "subscription": browser.json()}
        deadline = time.monotonic() + 60
        while True:
            response = await self.post(f"{self.urls.notifier}/v1/push-subscriptions", json=body)
            code = response.status_code if response is not None else 0
            if code == 404 and time.monotonic() < deadline:
                await asyncio.sleep(0.5)
                continue
            if response is not None and response.status_code == 503:
                self.say(at, "push: the notifier has no VAPID key (push not configured)")
                self.outcomes["push skipped"] += 1
                return
            label = f"push subscription for {order.order_number}"
            self.record("push", response, (200, 201), at, label, order)
            return

    async def post(self, url: str, **kwargs: object) -> httpx.Response | None:
        try:
            return await self.http.post(url, **kwargs)  # type: ignore[arg-type]
        except httpx.HTTPError as exc:
            self.problem(f"POST {url.split('?')[0]}: {type(exc).__name__} {exc}")
            return None

    def record(
        self,
        kind: str,
        response: httpx.Response | None,
        expect: int | tuple[int, ...],
        at: float,
        what: str,
        order: PlannedOrder | None,
    ) -> None:
        wanted = (expect,) if isinstance(expect, int) else expect
        code = response.status_code if response is not None else 0
        self.outcomes[f"{kind} {code}"] += 1
        story = f"  {order.order_number} {order.story.slug}" if order is not None else ""
        self.say(at, f"{what} → {code or 'no answer'}{story}")
        if code not in wanted:
            detail = response.text[:200] if response is not None else ""
            self.problem(f"{what}{story}: {code}, expected {wanted} {detail}")

    def problem(self, text: str) -> None:
        self.problems.append(text)
        print(f"demo: {text}", file=sys.stderr, flush=True)


async def wait_ready(http: httpx.AsyncClient, urls: Urls, seconds: float) -> list[str]:
    """The services' /readyz answering 200; returns those that did not within `seconds`."""
    pending = {
        "ingest": urls.ingest,
        "projections API": urls.projections,
        "notifier": urls.notifier,
    }
    deadline = time.monotonic() + seconds
    while pending and time.monotonic() < deadline:
        for name, base in list(pending.items()):
            with contextlib.suppress(httpx.HTTPError):
                if (await http.get(f"{base}/readyz")).status_code == 200:
                    del pending[name]
        if pending:
            await asyncio.sleep(0.5)
    return sorted(pending)


async def verify(http: httpx.AsyncClient, plan: Plan, urls: Urls, seconds: float) -> list[str]:
    """Every order's status page answering 200 (projected); returns those that do not."""
    missing = {o.order_number: o for o in plan.orders}
    deadline = time.monotonic() + seconds
    while missing and time.monotonic() < deadline:
        for number, order in list(missing.items()):
            with contextlib.suppress(httpx.HTTPError):
                response = await http.get(f"{urls.projections}/orders/{order.status_token}")
                if response.status_code == 200:
                    del missing[number]
        if missing:
            await asyncio.sleep(0.5)
    return sorted(missing)


def status_link(urls: Urls, order: PlannedOrder) -> str:
    """The private status page (shows contact details)."""
    return f"{urls.links}/orders/{order.status_token}"


def share_link(urls: Urls, order: PlannedOrder) -> str:
    """The shareable page (no personal data)."""
    return f"{urls.links}/s/{order.share_token}"


def summary(plan: Plan, urls: Urls, env: Mapping[str, str]) -> str:
    lines = ["", "Demo orders (private status pages show contact details; share links do not):"]
    for order in plan.orders:
        lines.append(
            f"  {order.order_number}  {order.merchant:9}  {order.story.title}\n"
            f"      {status_link(urls, order)}\n      share: {share_link(urls, order)}"
        )
    demo_dir = env.get("SUIVI_DEMO_DIR") or str(ROOT / ".local" / "demo")
    lines += [
        "",
        f"Emails: {demo_dir}/mail/*.eml   SMS: {demo_dir}/sms.log   Web push: {demo_dir}/push.log",
        f"Shopper lookup: {urls.links}/lookup   "
        f"Prometheus: http://127.0.0.1:{env.get('SUIVI_PROMETHEUS_PORT') or 9090}"
        # (run.sh knows the installed Prometheus: Debian's serves its pages under /classic)
        f"{env.get('SUIVI_PROMETHEUS_ALERTS_PATH') or '/alerts'}",
    ]
    return "\n".join(lines)


async def linger() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()


async def script_standins(http: httpx.AsyncClient, plan: Plan, urls: Urls) -> bool:
    """The tracker follows every order's parcels, but the scripted ones move by the demo's own
    webhooks: the stand-ins answer "not found" for those (no journey of theirs mixes in), and
    run their default journey for the parcels of the tracked stories."""
    scripted = [n for o in plan.orders if o.story.sends for n in o.numbers.values()]
    try:
        for number in scripted:
            answer = await http.post(
                f"{urls.standins}/_admin/journeys", json={"number": number, "not_found": True}
            )
            answer.raise_for_status()
    except httpx.HTTPError as exc:
        print(f"demo: stand-ins not reachable at {urls.standins} ({type(exc).__name__}): "
              "the tracked orders will not move", flush=True)  # fmt: skip
        return False
    return True


async def run(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    urls = Urls.from_env(env)
    if args.ingest_url:
        urls.ingest = args.ingest_url
    speed = args.speed or (FAST_SPEED if args.fast else 1.0)
    async with httpx.AsyncClient(timeout=15.0) as http:
        if args.wait_seconds > 0:
            late = await wait_ready(http, urls, args.wait_seconds)
            if late:
                print(f"demo: not ready after {args.wait_seconds:.0f}s: {', '.join(late)}")
                return 2
        token_key = SecretStr(env.get("SUIVI_TOKEN_KEY") or DEVELOPMENT_TOKEN_KEY)
        plan = build_plan(token_key, Clock(datetime.now(UTC), speed), seed=args.seed)
        print(
            f"demo: run {plan.run_id}: {len(plan.orders)} orders, {len(plan.webhooks())} carrier "
            f"webhooks over {SPAN / speed:.0f}s (ingest {urls.ingest})",
            flush=True,
        )
        await script_standins(http, plan, urls)
        driver = Driver(plan, env, urls, http, quiet=args.quiet)
        await driver.play()
        if args.verify:
            missing = await verify(http, plan, urls, args.verify_seconds)
            for number in missing:
                driver.problem(f"order {number}: no status page after {args.verify_seconds:.0f}s")
    print(summary(plan, urls, env), flush=True)
    tally = ", ".join(f"{k}: {v}" for k, v in sorted(driver.outcomes.items()))
    print(f"\ndemo: done ({tally}); {len(driver.problems)} problem(s)", flush=True)
    if args.linger:
        print("demo: the platform keeps running; Ctrl-C stops everything.", flush=True)
        await linger()
    return 1 if driver.problems else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m demo", description=__doc__)
    parser.add_argument("--fast", action="store_true", help=f"{FAST_SPEED:g}x faster (tests)")
    parser.add_argument("--speed", type=float, help="timeline speed factor (default 1)")
    parser.add_argument("--seed", type=int, help="tracking-number draw (default: the clock)")
    parser.add_argument("--env-file", type=Path, default=DEFAULT_ENV_FILE)
    parser.add_argument("--ingest-url", help="default http://127.0.0.1:$SUIVI_INGEST_PORT")
    parser.add_argument("--wait-seconds", type=float, default=120.0, help="for /readyz (0: skip)")
    parser.add_argument("--verify", action="store_true", help="wait for every status page")
    parser.add_argument("--verify-seconds", type=float, default=60.0)
    parser.add_argument("--linger", action="store_true", help="stay up when done (Procfile)")
    parser.add_argument("--quiet", action="store_true", help="no line per request")
    args = parser.parse_args(argv)
    env = {**read_env_file(args.env_file), **os.environ}
    try:
        return asyncio.run(run(args, env))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
