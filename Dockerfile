# One image for every service; the command picks which one runs.
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY codegen codegen
COPY registry registry
COPY services services
COPY stack stack
COPY contracts contracts
RUN pip install --no-cache-dir .
ENV DATA_DIR=/data LOG_FORMAT=json
VOLUME /data
