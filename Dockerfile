# syntax=docker/dockerfile:1
# The registry's production image: gunicorn serving Django, static files by whitenoise, run as
# an unprivileged user. `docker compose up` uses it for `web`, `worker` and `scheduler`; see docs/operations.md.

# The Python of .python-version and pyproject.toml's requires-python (tests/system/production/test_python_version.py).
ARG PYTHON_IMAGE=python:3.11-slim

# --- build: the dependencies, in a virtualenv copied whole into the final image -------------
FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
# Only the running set of the lock (docs/dependencies.md), so that this layer is rebuilt when the
# dependencies change, not the code; pip checks every hash. The code runs from /app, uninstalled.
COPY requirements/run.txt ./
RUN python -m venv /opt/venv \
    && /opt/venv/bin/pip install --require-hashes -r run.txt

# --- runtime ----------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS runtime
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    DJANGO_SETTINGS_MODULE=registry.settings \
    DEBUG=false \
    PORT=8000 \
    MEDIA_ROOT=/app/media \
    STATIC_ROOT=/app/staticfiles

RUN groupadd --system --gid 10001 registry \
    && useradd --system --uid 10001 --gid registry --create-home --home-dir /home/registry \
       --shell /usr/sbin/nologin registry

WORKDIR /app
COPY --from=build /opt/venv /opt/venv
# The code belongs to root and is read-only to the process; only the media folder is writable.
# collectstatic writes the hashed, compressed static files whitenoise serves (STATIC_MANIFEST);
# its key is a throwaway (collectstatic signs nothing), the real one is given at run time only.
COPY . .
RUN chmod 0755 docker/entrypoint.sh \
    && python -m compileall -q registry partners agreements \
    && SECRET_KEY=collectstatic-only-not-a-secret python manage.py collectstatic --noinput -v 0 \
    && mkdir -p /app/media \
    && chown registry:registry /app/media

USER registry
EXPOSE 8000
ENTRYPOINT ["/app/docker/entrypoint.sh"]
CMD ["web"]
