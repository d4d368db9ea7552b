"""The demo of `make run` / `make demo`: simulated carriers and merchants driving the platform.

- `python -m demo`: creates about twenty orders through ingest's order API, then posts signed
  carrier webhooks for them over a few minutes (`--fast`: seconds), built from the normalizer's
  golden fixtures with fresh tracking numbers and times relative to now; prints the private
  status-page link of every order.
- `python -m demo.peers`: local stand-ins for the notifier's peers (an SMTP server writing each
  mail to a file, a Twilio-shaped SMS API and a web push endpoint logging what they receive),
  built on the notifier's own test peers.

Development only: nothing here belongs in a deployment.
"""
