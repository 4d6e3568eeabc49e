#!/bin/sh
# Every Aduan container's entrypoint: runs the container's command as the unprivileged `node`
# user (uid 1000), never as root.
#
# Started as root (Docker's default), it first hands the data volume to that user: a volume
# written by an image before this entrypoint existed (those ran as root) holds root-owned spools
# and photos the user could not write, and an upgrade must not need a manual `chown`. Only what
# is not already the user's is changed, so later starts touch nothing; a symbolic link is changed
# itself, never what it points to. Started as another user (compose's `user:`), it runs the
# command as it is.
#
#   ADUAN_DATA    the data volume (default /var/lib/aduan)
#   ADUAN_RUN_AS  the user to run as (default node)
# tests/docs/docker-entrypoint.test.ts runs this script as root.
set -eu

data=${ADUAN_DATA:-/var/lib/aduan}
user=${ADUAN_RUN_AS:-node}

if [ "$(id -u)" != 0 ]; then
  exec "$@"
fi

uid=$(id -u "$user")
gid=$(id -g "$user")
if [ -d "$data" ]; then
  find "$data" \( \! -user "$uid" -o \! -group "$gid" \) -exec chown -h "$uid:$gid" {} +
fi
home=$(getent passwd "$user" | cut -d: -f6)
# No new privileges for the command or anything it starts (no setuid way back to root).
HOME=${home:-/tmp} exec setpriv --reuid="$uid" --regid="$gid" --init-groups --no-new-privs -- "$@"
