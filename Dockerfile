# reminder: follow-up digests for evaluation management responses.
# Build: docker build -t reminder:0.1.0 .   Run: see README.md ("Docker") and compose.yaml.

FROM python:3.11-slim-bookworm AS build
WORKDIR /src
RUN pip install --no-cache-dir build==1.2.2.post1
COPY pyproject.toml setup.py README.md ./
COPY reminder ./reminder
COPY templates ./templates
RUN python -m build --wheel --outdir /dist

FROM python:3.11-slim-bookworm
# SQLite database, outbox and heartbeat live on the /data volume by default; point
# REMINDER_DATABASE_URL at PostgreSQL to share one database between containers.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    REMINDER_DATABASE_URL=sqlite:////data/reminder.sqlite \
    REMINDER_OUTBOX_DIR=/data/outbox \
    REMINDER_HEARTBEAT_FILE=/data/reminder.heartbeat \
    REMINDER_AUTO_MIGRATE=true
RUN groupadd --system --gid 10001 reminder \
    && useradd --system --uid 10001 --gid reminder --home-dir /data --no-create-home reminder \
    && mkdir /data \
    && chown reminder:reminder /data
COPY --from=build /dist/ /tmp/dist/
RUN pip install --no-cache-dir /tmp/dist/*.whl && rm -rf /tmp/dist
# Documented settings to copy; mount your own file and set REMINDER_CONFIG, and your own
# templates at /etc/reminder/templates with REMINDER_TEMPLATES_DIR.
COPY config/reminder.example.toml /etc/reminder/reminder.example.toml
USER 10001:10001
WORKDIR /data
VOLUME ["/data"]
# `reminder serve` (the status desk) listens here; the daemon needs no port.
EXPOSE 8080
HEALTHCHECK --interval=60s --timeout=10s --start-period=30s --retries=3 CMD ["reminder", "health"]
ENTRYPOINT ["reminder"]
CMD ["daemon"]
