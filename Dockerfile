# One image for the services, the registry and the one-shot jobs; the command picks what runs.
# The image runs the installed wheel (contracts and data files included), not a source tree.

FROM python:3.11.10-slim-bookworm AS wheel
WORKDIR /src
COPY pyproject.toml README.md ./
COPY avrokit avrokit
COPY codegen codegen
COPY console console
COPY contracts contracts
COPY dbkit dbkit
COPY gate gate
COPY registry registry
COPY services services
COPY stack stack
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

FROM python:3.11.10-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
# Dependencies in their own layer: rebuilt only when pyproject.toml changes, not on every edit.
COPY pyproject.toml /tmp/pyproject.toml
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('/tmp/pyproject.toml', 'rb'))['project']['dependencies']))" > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/pyproject.toml /tmp/requirements.txt
COPY --from=wheel /wheels /wheels
RUN pip install --no-deps /wheels/*.whl && rm -rf /wheels
RUN useradd --system --uid 10001 --home-dir /app --create-home shop \
    && mkdir -p /data && chown shop:shop /data
USER shop
WORKDIR /app
ENV DATA_DIR=/data LOG_FORMAT=json OPS_HOST=0.0.0.0 OPS_PORT=9000
VOLUME /data
EXPOSE 9000
# Ready = broker, registry and database answer and the consumer groups hold their partitions.
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-m", "stack.probe"]
