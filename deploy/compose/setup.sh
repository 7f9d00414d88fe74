#!/bin/sh
# Writes the compose example's random secrets: .env (master key, admin token) and secrets/.
# Run once, in this directory; it keeps what exists.
set -eu
umask 077
mkdir -p secrets
[ -s secrets/db-password ] || openssl rand -hex 24 > secrets/db-password
[ -s secrets/redis-password ] || openssl rand -hex 24 > secrets/redis-password
if [ ! -s .env ]; then
  printf 'GATEHOUSE_MASTER_KEY=%s\nGATEHOUSE_ADMIN_TOKEN=%s\n' "$(openssl rand -base64 32)" "$(openssl rand -hex 24)" > .env
fi
# the containers run as uid 10001 and read the secret files
chmod 0644 secrets/db-password secrets/redis-password
echo "wrote .env and secrets/; the admin token is in .env"
