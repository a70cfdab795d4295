#!/usr/bin/env bash
# Prints the URL of a reachable Redis for the tests (cross-instance call signalling).
# Order: $AGENTLOCATOR_TEST_REDIS_URL if set; the local server on 127.0.0.1:6379; otherwise a
# throwaway redis-server on port 6399 (installed through apt when missing and running as root).
set -euo pipefail
if [ -n "${AGENTLOCATOR_TEST_REDIS_URL:-}" ]; then echo "$AGENTLOCATOR_TEST_REDIS_URL"; exit 0; fi
ping_redis() { (exec 3<>"/dev/tcp/127.0.0.1/$1" && printf 'PING\r\n' >&3 && head -c 5 <&3 | grep -q PONG) 2>/dev/null; }
if ping_redis 6379; then echo "redis://127.0.0.1:6379/15"; exit 0; fi
if ! command -v redis-server >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
  else
    echo "no Redis reachable and none installable; set AGENTLOCATOR_TEST_REDIS_URL" >&2
    exit 1
  fi
fi
if ! ping_redis 6399; then
  mkdir -p var
  redis-server --daemonize yes --bind 127.0.0.1 --port 6399 --save "" --appendonly no \
    --dir "$PWD/var" --logfile "$PWD/var/redis-test.log" >/dev/null
  for _ in $(seq 50); do ping_redis 6399 && break; sleep 0.1; done
fi
echo "redis://127.0.0.1:6399/15"
