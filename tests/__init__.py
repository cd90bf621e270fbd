"""The test suite: unit/ (pure functions and small fakes), integration/ (real SQLite,
PostgreSQL, Redis, RabbitMQ, Dovecot, folders), e2e/ (real Chromium)."""
