-- Failures older than the throttle window are deleted by time, whatever their subject (a
-- subject tried once, e.g. a mistyped email, would otherwise stay for ever).
CREATE INDEX console_login_failures_time ON console_login_failures (failed_at);
