#!/bin/sh
set -eu

# apk upgrade used to run here before every release was rebuilt nightly.
render_config() {
  envsubst < /app/config.tmpl > /etc/api/config.json
}

apk update && apk upgrade --no-cache
render_config
exec "$@"
