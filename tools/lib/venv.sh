# shellcheck shell=bash
# Shared by tools/run-tests and tools/demo-local: build or reuse the cached
# virtualenv that Promise and its tests run from.  Source it, then call
# promise_venv_ensure.  The venv lives outside the repository, in
# ${PROMISE_CACHE:-$HOME/.cache/promise}/venv-test, and is rebuilt only when
# requirements.txt, test-requirements.txt or tools/constraints.txt change.
# Promise itself is installed in editable mode (pip install --no-deps -e .),
# so code changes need no reinstall; setup.cfg changes (entry points) do, and
# are detected too.

PROMISE_ROOT=${PROMISE_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
PROMISE_CACHE=${PROMISE_CACHE:-$HOME/.cache/promise}
PROMISE_VENV=${PROMISE_VENV:-$PROMISE_CACHE/venv-test}
PROMISE_PYTHON=${PROMISE_PYTHON:-python3}

_promise_hash() {
    cat "$@" | sha256sum | cut -d' ' -f1
}

_promise_pbr_version() {
    # pbr takes the version from git; a tree without history (a tarball, or
    # a repository before its first commit) needs it spelled out.
    if ! git -C "$PROMISE_ROOT" rev-parse --verify -q HEAD >/dev/null 2>&1; then
        export PBR_VERSION=${PBR_VERSION:-0.0.1.dev0}
    fi
}

promise_venv_ensure() {
    local py
    py=$(command -v "$PROMISE_PYTHON") || {
        echo "ERROR: $PROMISE_PYTHON not found; set PROMISE_PYTHON to a" \
             "Python >= 3.10" >&2
        return 1
    }
    if ! "$py" -c 'import sys; sys.exit(sys.version_info < (3, 10))'; then
        echo "ERROR: $py is older than Python 3.10" >&2
        return 1
    fi

    local deps_hash pkg_hash
    deps_hash=$(_promise_hash "$PROMISE_ROOT/requirements.txt" \
        "$PROMISE_ROOT/test-requirements.txt" \
        "$PROMISE_ROOT/tools/constraints.txt" \
        <("$py" -c 'import sys; print(sys.version)'))
    # Sibling packages of this repository that the tests drive too (the
    # Nova scheduler filter, the OpenStack CLI plugin); their dependencies
    # are in requirements already.
    local extras=() extra
    for extra in promise-nova python-promiseclient; do
        [ -f "$PROMISE_ROOT/$extra/setup.cfg" ] && extras+=("$extra")
    done
    local cfgs=("$PROMISE_ROOT/setup.cfg")
    for extra in "${extras[@]}"; do
        cfgs+=("$PROMISE_ROOT/$extra/setup.cfg")
    done
    pkg_hash=$(_promise_hash "${cfgs[@]}" \
        <(echo "$PROMISE_ROOT ${extras[*]}"))

    mkdir -p "$PROMISE_CACHE"
    # One builder at a time (two checkouts may share the cache).
    exec 8>"$PROMISE_CACHE/venv-test.lock"
    flock 8

    local stamp=$PROMISE_VENV/.promise-deps-hash
    local pstamp=$PROMISE_VENV/.promise-pkg-hash
    if [ -x "$PROMISE_VENV/bin/python" ] &&
       [ "$(cat "$stamp" 2>/dev/null)" = "$deps_hash" ]; then
        echo "venv: reusing $PROMISE_VENV"
    else
        echo "venv: building $PROMISE_VENV (requirements changed or new)"
        local start=$SECONDS
        rm -rf "$PROMISE_VENV"
        if ! "$py" -m venv "$PROMISE_VENV"; then
            if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
                echo "venv: installing python3-venv"
                apt-get update -qq && \
                    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
                    python3-venv >/dev/null
                rm -rf "$PROMISE_VENV"
                "$py" -m venv "$PROMISE_VENV" || { flock -u 8; return 1; }
            else
                flock -u 8
                return 1
            fi
        fi
        # pip's noise about unreachable extra indexes is dropped; errors
        # still fail the build.
        if ! "$PROMISE_VENV/bin/pip" install -q --disable-pip-version-check \
                -c "$PROMISE_ROOT/tools/constraints.txt" \
                -r "$PROMISE_ROOT/requirements.txt" \
                -r "$PROMISE_ROOT/test-requirements.txt" \
                2> >(grep -v 'is ignored: it is neither' >&2); then
            echo "ERROR: installing the requirements into $PROMISE_VENV" \
                 "failed" >&2
            flock -u 8
            return 1
        fi
        echo "$deps_hash" > "$stamp"
        rm -f "$pstamp"
        echo "venv: built in $((SECONDS - start))s"
    fi

    if [ "$(cat "$pstamp" 2>/dev/null)" != "$pkg_hash" ] ||
       ! (cd / && "$PROMISE_VENV/bin/python" -c \
            'import importlib.metadata as m; m.distribution("promise")' \
            2>/dev/null); then
        echo "venv: installing promise (editable) from $PROMISE_ROOT"
        _promise_pbr_version
        local editable=(-e .)
        for extra in "${extras[@]}"; do
            editable+=(-e "./$extra")
        done
        if ! (cd "$PROMISE_ROOT" && "$PROMISE_VENV/bin/pip" install -q \
                --disable-pip-version-check --no-deps "${editable[@]}" \
                2> >(grep -v 'is ignored: it is neither' >&2)); then
            echo "ERROR: pip install --no-deps ${editable[*]} failed" >&2
            flock -u 8
            return 1
        fi
        echo "$pkg_hash" > "$pstamp"
    fi
    flock -u 8
    export PATH="$PROMISE_VENV/bin:$PATH"
    export VIRTUAL_ENV=$PROMISE_VENV
}
