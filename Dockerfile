FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    SHUOSHI_DB_PATH=/data/shuoshi.db \
    SHUOSHI_KNOWLEDGE_DIR=/app/knowledge

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY knowledge ./knowledge
RUN pip install . \
    && useradd --system --uid 10001 --home-dir /app shuoshi \
    && mkdir -p /data && chown shuoshi /data

USER shuoshi
VOLUME ["/data"]
CMD ["shuoshi", "run"]
