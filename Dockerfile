# The meetup bot for production: HTTP mode behind a load balancer.
# See docs/deploying.md. Build:  docker build -t meetup-bot .
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# Install the package (not the source tree): the wheel carries the migrations,
# the domain list and manifest.yml, so the running image needs nothing else.
WORKDIR /src
COPY pyproject.toml README.md manifest.yml ./
COPY bot ./bot
COPY handlers ./handlers
COPY storage ./storage
RUN pip install . && rm -rf /src

# Never run as root. The home folder is the working folder, so the default
# SQLite file has somewhere to go; production uses PostgreSQL (DATABASE_URL).
RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin meetup
USER meetup
WORKDIR /home/meetup

ENV PORT=3000
EXPOSE 3000

# slim has no curl; Python is already here. /healthz answers 200 once the
# database answers (HTTP mode only: in Socket Mode run with --no-healthcheck).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('PORT', '3000') + '/healthz', timeout=4)"]

# Migrations are a separate step, run once per release before the new
# instances start:  docker run --rm --env-file prod.env meetup-bot meetup-bot db upgrade
CMD ["meetup-bot", "serve"]
