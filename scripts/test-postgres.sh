#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster for the tests and prints the URL to use as STEPWISE_TEST_POSTGRES:
#     export STEPWISE_TEST_POSTGRES="$(scripts/test-postgres.sh start)"   ...   scripts/test-postgres.sh stop "$STEPWISE_TEST_POSTGRES"
# Installs Debian's postgresql if it is missing (without its default cluster). The cluster lives in a temporary
# folder, listens on 127.0.0.1 on a free port, trusts local connections, and runs without fsync: it is for tests
# only. As root (CI), initdb and pg_ctl run as the postgres user. Safe to run again: stop removes the folder.
set -euo pipefail
state=/tmp/stepwise-test-postgres.path

bindir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }

as_owner() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start() {
    if [ -z "$(bindir)" ]; then
        echo "stepwise tests: installing postgresql" >&2
        sudo=""
        [ "$(id -u)" -eq 0 ] || sudo="sudo"
        # No default cluster: the tests start their own.
        $sudo mkdir -p /etc/postgresql-common/createcluster.d
        echo "create_main_cluster = false" | $sudo tee /etc/postgresql-common/createcluster.d/stepwise-tests.conf >/dev/null
        $sudo apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends postgresql >/dev/null
    fi
    local bin dir port
    bin="$(bindir)"
    dir="$(mktemp -d /tmp/stepwise-pg.XXXXXX)"
    [ "$(id -u)" -ne 0 ] || chown postgres: "$dir"
    port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    as_owner "$bin/initdb" -D "$dir/data" -U stepwise -A trust --no-sync -E UTF8 >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 1; }
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
        -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
        start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
    echo "$port $dir" >>"$state"
    echo "postgres://stepwise@127.0.0.1:$port/postgres"
}

# Stops the cluster of one URL (its port), or every cluster started here without one.
stop() {
    [ -f "$state" ] || return 0
    local bin want="${1:-}" keep=""
    want="${want##*:}"; want="${want%%/*}"
    bin="$(bindir)"
    while read -r port dir; do
        if [ -n "$want" ] && [ "$port" != "$want" ]; then keep+="$port $dir"$'\n'; continue; fi
        [ -d "$dir/data" ] && as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
        rm -rf "$dir"
    done <"$state"
    printf '%s' "$keep" >"$state"
}

case "${1:-}" in
    start) start ;;
    stop) stop "${2:-}" ;;
    *) echo "usage: $0 start | stop [URL]" >&2; exit 2 ;;
esac
