# The production image: one image for web, worker, beat and migrate (deploy/entrypoint.sh).
# Every RUN calls a script in deploy/; `make prod-smoke` (CI) runs the same scripts in a fresh venv.

# --- build: the virtualenv with the production dependencies, pinned by requirements.lock.
FROM python:3.11-slim AS build
WORKDIR /app
COPY pyproject.toml requirements.lock ./
COPY deploy/build.sh deploy/
RUN PYTHON=python deploy/build.sh deps /opt/venv

# --- runtime: the venv, the code, the collected static files; runs as an unprivileged user.
FROM python:3.11-slim
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=petcommunity.settings.production \
    VAR_DIR=/app/var \
    MEDIA_ROOT=/app/media
WORKDIR /app
COPY --from=build /opt/venv /opt/venv
COPY . .
RUN deploy/build.sh static
RUN deploy/build.sh user
USER app
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 CMD ["deploy/entrypoint.sh", "healthcheck"]
ENTRYPOINT ["deploy/entrypoint.sh"]
CMD ["web"]
