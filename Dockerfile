# syntax=docker/dockerfile:1
# Trợ lý CCHC: one image for every channel. The command picks the channel:
#   docker run -v cchc-data:/data --env-file .env IMAGE run telegram   (the default)
#   docker run -v cchc-data:/data --env-file .env IMAGE run zalo
#   docker run -it -v cchc-data:/data IMAGE chat
# Operator guide: docs/huong-dan-van-hanh.md.

# --- build: install the package and its pinned dependencies into a virtualenv ------------------
FROM python:3.11-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md LICENSE ./
COPY bot ./bot
COPY handlers ./handlers
COPY knowledge ./knowledge
COPY retrieval ./retrieval
# Every dependency ships a manylinux wheel: no compiler is needed (checked with --only-binary).
RUN python -m venv /opt/cchc \
    && /opt/cchc/bin/pip install --no-cache-dir --only-binary=:all: . \
    && /opt/cchc/bin/python -m compileall -q /opt/cchc/lib

# --- run: the virtualenv only, as an unprivileged user, data in a volume -----------------------
FROM python:3.11-slim-bookworm
LABEL org.opencontainers.image.title="Trợ lý CCHC" \
      org.opencontainers.image.description="Chatbot hỏi đáp cải cách hành chính (Telegram, Zalo)" \
      org.opencontainers.image.licenses="Apache-2.0"
ENV PATH=/opt/cchc/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    CCHC_DATA_DIR=/data \
    CCHC_CACHE_DIR=/data/cache \
    TELEGRAM_LISTEN=0.0.0.0 \
    ZALO_LISTEN=0.0.0.0
RUN groupadd --system --gid 10001 cchc \
    && useradd --system --uid 10001 --gid cchc --home-dir /data --no-create-home --shell /usr/sbin/nologin cchc \
    && mkdir /data \
    && chown cchc:cchc /data
COPY --from=build /opt/cchc /opt/cchc
USER 10001:10001
WORKDIR /data
VOLUME ["/data"]
# Webhook ports (only with --webhook): Telegram 8443, Zalo 8080. Long polling needs none.
EXPOSE 8443 8080
# A running bot rewrites its heartbeat every 30 s; `cchc health` fails when it is 2 minutes old.
# The start period covers the first start, which builds the knowledge base from the seed plans.
HEALTHCHECK --interval=60s --timeout=10s --start-period=180s --retries=3 CMD ["cchc", "health"]
ENTRYPOINT ["cchc"]
CMD ["run", "telegram"]
