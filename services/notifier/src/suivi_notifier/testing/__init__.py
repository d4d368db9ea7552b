"""Real protocol peers on loopback for the notifier's tests (an SMTP server, an HTTP server
speaking Twilio's Messages API, a web push endpoint that decrypts and verifies), and builders
of the events the notifier consumes. Not used by the service itself."""
