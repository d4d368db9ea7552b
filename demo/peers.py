"""`python -m demo.peers`: the notifier's peers, local and readable (development only).

Built on the notifier's own test peers (`suivi_notifier.testing`), which check what they receive
as the real services would (SMTP parsing, Twilio's basic auth, RFC 8291 decryption and the VAPID
JWT of each push):

- an SMTP server on 127.0.0.1:$SUIVI_NOTIFIER_SMTP_PORT (2525) writing every mail it accepts to
  `$SUIVI_DEMO_DIR/mail/NNNN-<subject>.eml` (open them with any mail reader);
- on one HTTP port ($SUIVI_DEMO_PEERS_PORT, 8086): Twilio's Messages API
  (`/2010-04-01/Accounts/{sid}/Messages.json`, each SMS logged to `$SUIVI_DEMO_DIR/sms.log`) and
  a web push service (`POST /browsers` makes a browser subscription, as a status page would;
  `/push/{id}` receives, decrypts and logs each push to `$SUIVI_DEMO_DIR/push.log`);
- on another ($SUIVI_DEMO_STANDINS_PORT, 8090): the tracker's stand-ins of every carrier and
  aggregator API (`suivi_tracker.testing.standins`), each parcel's journey lasting
  $SUIVI_DEMO_STANDINS_JOURNEY_SECONDS (240).

They listen on 127.0.0.1 ($SUIVI_DEMO_PEERS_HOST: 0.0.0.0 in a container); push endpoints are
$SUIVI_DEMO_PUSH_URL/push/<id>, the peer as the notifier reaches it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import signal
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType

import uvicorn
from aiosmtpd.smtp import SMTP, Envelope, Session
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from demo.webhooks import ROOT
from suivi_notifier.adapters.vapid import Vapid, load_private_key
from suivi_notifier.testing.push_peer import PushPeer
from suivi_notifier.testing.smtp_peer import SmtpPeer
from suivi_notifier.testing.twilio_peer import TwilioPeer
from suivi_tracker.testing.standins.app import Credentials
from suivi_tracker.testing.standins.app import build as build_standins

_UNSAFE = re.compile(r"[^A-Za-z0-9]+")


def _stamp() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class MailboxPeer(SmtpPeer):
    """The notifier's SMTP test peer, also writing each accepted mail to a file."""

    def __init__(self, host: str, port: int, folder: Path) -> None:
        super().__init__(port)
        self.host = host
        self.folder = folder

    async def start(self) -> None:
        loop = asyncio.get_running_loop()

        def protocol() -> SMTP:
            return SMTP(self, hostname="peers.suivi.localhost", loop=loop)

        self._server = await loop.create_server(protocol, self.host, self.port)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802 - aiosmtpd's hook name
        before = len(self.messages)
        answer = await super().handle_DATA(server, session, envelope)
        if len(self.messages) > before:
            message, raw = self.messages[-1], self.raw[-1]
            subject = str(message.get("Subject", ""))
            number = len(list(self.folder.glob("*.eml"))) + 1
            name = f"{number:04d}-{_UNSAFE.sub('-', subject).strip('-')[:60]}.eml"
            (self.folder / name).write_bytes(raw)
            print(f"mail  to {message.get('To')}: {subject}  → {self.folder / name}", flush=True)
        return answer


class Peers:
    def __init__(self, env: dict[str, str]) -> None:
        self.folder = Path(env.get("SUIVI_DEMO_DIR") or ROOT / ".local" / "demo")
        (self.folder / "mail").mkdir(parents=True, exist_ok=True)
        # 127.0.0.1 unless told (SUIVI_DEMO_PEERS_HOST=0.0.0.0 in a container).
        self.host = env.get("SUIVI_DEMO_PEERS_HOST") or "127.0.0.1"
        smtp_port = int(env.get("SUIVI_NOTIFIER_SMTP_PORT") or 2525)
        self.smtp = MailboxPeer(self.host, smtp_port, self.folder / "mail")
        self.http_port = int(env.get("SUIVI_DEMO_PEERS_PORT") or 8086)
        # Push endpoints are URLs the notifier POSTs to: this peer as the notifier reaches it.
        base_url = env.get("SUIVI_DEMO_PUSH_URL") or f"http://127.0.0.1:{self.http_port}"
        self.twilio = TwilioPeer(
            env.get("SUIVI_NOTIFIER_SMS_ACCOUNT_SID") or "AC-demo",
            env.get("SUIVI_NOTIFIER_SMS_AUTH_TOKEN") or "demo",
        )
        private = env.get("SUIVI_NOTIFIER_PUSH_VAPID_PRIVATE_KEY")
        subject = env.get("SUIVI_NOTIFIER_PUSH_VAPID_SUBJECT") or "mailto:demo@localhost"
        public = Vapid(load_private_key(private), subject).public_key if private else ""
        self.push = PushPeer(public, base_url=base_url)
        self.standins_port = int(env.get("SUIVI_DEMO_STANDINS_PORT") or 8090)
        # Real time (checkpoints are never in the future), short journeys: four minutes from
        # the label to the delivery unless told.
        journey = float(env.get("SUIVI_DEMO_STANDINS_JOURNEY_SECONDS") or 240.0)
        self.standins, _ = build_standins(Credentials.from_env(env), journey_seconds=journey)

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/2010-04-01/Accounts/{account}/Messages.json", self.sms, methods=["POST"]),
                Route("/browsers", self.new_browser, methods=["POST"]),
                Route("/push/{ident}", self.receive_push, methods=["POST"]),
                Route("/", self.index, methods=["GET"]),
            ]
        )

    async def sms(self, request: Request) -> Response:
        response = await self.twilio.messages(request)
        last = self.twilio.requests[-1]
        line = {
            "at": _stamp(),
            "answered": int(last.form.get("_answered", "0")),
            "to": last.form.get("To"),
            "from": last.form.get("From") or last.form.get("MessagingServiceSid"),
            "body": last.form.get("Body"),
        }
        self._log("sms.log", line)
        print(f"sms   to {line['to']}: {line['body']}", flush=True)
        return response

    async def new_browser(self, _: Request) -> Response:
        return JSONResponse(self.push.new_browser().subscription(), status_code=201)

    async def receive_push(self, request: Request) -> Response:
        before, errors = len(self.push.received), len(self.push.errors)
        response = await self.push.push(request)
        if len(self.push.received) > before:
            received = self.push.received[-1]
            self._log("push.log", {"at": _stamp(), "browser": received.browser, **received.payload})
            print(
                f"push  {received.payload.get('title')}: {received.payload.get('body')}", flush=True
            )
        elif len(self.push.errors) > errors:
            print(f"push  refused: {self.push.errors[-1]}", flush=True)
        return response

    async def index(self, _: Request) -> Response:
        return JSONResponse(
            {
                "mails": len(self.smtp.messages),
                "sms": len(self.twilio.delivered),
                "pushes": len(self.push.received),
                "folder": str(self.folder),
            }
        )

    def _log(self, name: str, record: dict[str, object]) -> None:
        with (self.folder / name).open("a", encoding="utf-8") as out:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")

    async def serve(self) -> None:
        await self.smtp.start()
        print(
            f"peers: SMTP on {self.host}:{self.smtp.port} (mail in {self.folder / 'mail'}), "
            f"SMS API and web push on http://{self.host}:{self.http_port}",
            flush=True,
        )
        config = uvicorn.Config(
            self.app(),
            host=self.host,
            port=self.http_port,
            lifespan="off",
            access_log=False,
            log_level="warning",
        )
        standins = uvicorn.Config(
            self.standins,
            host=self.host,
            port=self.standins_port,
            lifespan="on",  # the stand-ins' journeys tick (and push) in the background
            access_log=False,
            log_level="warning",
        )
        print(f"peers: carrier and aggregator stand-ins on http://{self.host}:{self.standins_port}")
        try:
            await asyncio.gather(uvicorn.Server(config).serve(), uvicorn.Server(standins).serve())
        finally:
            await self.smtp.stop()


def _exit_cleanly(signum: int, frame: FrameType | None) -> None:
    # uvicorn shuts down on SIGTERM, then raises the signal again: exit 0, not "killed".
    raise SystemExit(0)


def main() -> None:
    signal.signal(signal.SIGTERM, _exit_cleanly)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(Peers(dict(os.environ)).serve())


if __name__ == "__main__":
    main()
