#!/usr/bin/env bash
# deps.sh makes sure the system tools the tests need are there, installing what a fresh Debian
# machine lacks. Go and Node (with npm) are the prerequisites of the whole project and are only
# checked; the npm packages are installed by the scripts that use them (npm ci, the e2e project).
#
#   protoc     Debian protobuf-compiler: the codec cross-check (scripts/test-crosscheck.sh)
#   chromium   Debian chromium, at $CHROMIUM (default /usr/bin/chromium): the browser tests
#              (scripts/test-web.sh, scripts/test-e2e.sh)
#   postgres   Debian postgresql (initdb and pg_ctl, on the PATH or in /usr/lib/postgresql/*/bin):
#              the PostgreSQL store's tests, the tests of several nodes (cmd/floo-server: drain,
#              kill -9) and make bench-cluster start a throw-away cluster (server/store/postgres/pgtest)
#   xvfb       Debian xvfb (xvfb-run): a virtual display for a Chromium with windows and tabs, whose
#              background tabs are hidden and throttled as on a desktop (make bench-hidden only;
#              not in the default set)
#
# NATS needs nothing: the tests and the benchmark embed a NATS server (server/bus/natstest, a Go
# module that go mod download fetches).
#
#   scripts/deps.sh                    all of them (what scripts/test.sh runs first)
#   scripts/deps.sh protoc chromium    only those
#   scripts/deps.sh --check [...]      report what is missing and how to install it; install nothing
#
# Run as root on a machine with apt-get, it runs apt-get update once and installs every missing
# package in one apt-get install. Otherwise it installs nothing: it stops at once (exit 1) and
# prints the one command that installs what is missing. A CHROMIUM that points elsewhere than the
# Debian path is never installed, only checked.
set -euo pipefail

DEFAULT_CHROMIUM=/usr/bin/chromium
CHROMIUM=${CHROMIUM:-$DEFAULT_CHROMIUM}

check_only=false
wanted=()
for a in "$@"; do
  case "$a" in
    --check) check_only=true ;;
    protoc | chromium | postgres | xvfb) wanted+=("$a") ;;
    *)
      echo "deps.sh: unknown argument $a (want --check, protoc, chromium, postgres, xvfb)" >&2
      exit 2
      ;;
  esac
done
[ ${#wanted[@]} -gt 0 ] || wanted=(protoc chromium postgres)

# have_initdb reports whether the PostgreSQL server binaries are there: Debian keeps them in
# /usr/lib/postgresql/<version>/bin, off the PATH.
have_initdb() {
  command -v initdb >/dev/null 2>&1 && return 0
  compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null
}

for tool in go node npm; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "deps.sh: $tool is missing: the project needs Go 1.26 and Node 20 (with npm) on the PATH" >&2
    exit 1
  fi
done

# missing sets pkgs to the Debian packages of the wanted tools that are absent.
pkgs=()
missing() {
  pkgs=()
  for w in "${wanted[@]}"; do
    case "$w" in
      protoc) command -v protoc >/dev/null 2>&1 || pkgs+=(protobuf-compiler) ;;
      postgres) have_initdb || pkgs+=(postgresql) ;;
      xvfb) command -v xvfb-run >/dev/null 2>&1 || pkgs+=(xvfb) ;;
      chromium)
        if [ ! -x "$CHROMIUM" ]; then
          if [ "$CHROMIUM" != "$DEFAULT_CHROMIUM" ]; then
            echo "deps.sh: no Chromium at CHROMIUM=$CHROMIUM: fix the path, or unset CHROMIUM to use Debian's $DEFAULT_CHROMIUM" >&2
            exit 1
          fi
          pkgs+=(chromium)
        fi
        ;;
    esac
  done
}

missing
[ ${#pkgs[@]} -gt 0 ] || exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "deps.sh: missing ${pkgs[*]}: install with your system's package manager (on Debian: apt-get install -y ${pkgs[*]})" >&2
  exit 1
fi
if $check_only || [ "$(id -u)" -ne 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo "
  echo "deps.sh: missing ${pkgs[*]}; install with:" >&2
  echo "  ${sudo}apt-get update && ${sudo}apt-get install -y ${pkgs[*]}" >&2
  exit 1
fi

echo "deps.sh: installing ${pkgs[*]} (apt-get)" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${pkgs[@]}" >/dev/null
missing
if [ ${#pkgs[@]} -gt 0 ]; then
  echo "deps.sh: ${pkgs[*]} still missing after apt-get install" >&2
  exit 1
fi
