# Build or reuse the Horizon venv of promise-dashboard.  Source it, then
# call horizon_venv_ensure.  It lives outside the repository, in
# ${PROMISE_CACHE:-$HOME/.cache/promise}/venv-horizon, and is rebuilt only
# when promise-dashboard's requirements or constraints, or
# python-promiseclient's requirements, change.  Nothing is installed from
# the repository itself: a .pth file puts promise-dashboard/ and
# python-promiseclient/ on the venv's path, so no build files land in the
# tree and code changes need no reinstall.

DASH_ROOT=${DASH_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
REPO_ROOT=${REPO_ROOT:-$(cd "$DASH_ROOT/.." && pwd)}
PROMISE_CACHE=${PROMISE_CACHE:-$HOME/.cache/promise}
HORIZON_VENV=${HORIZON_VENV:-$PROMISE_CACHE/venv-horizon}
PROMISE_PYTHON=${PROMISE_PYTHON:-python3}
export PYTHONDONTWRITEBYTECODE=1

horizon_venv_ensure() {
    local py hash stamp req
    py=$(command -v "$PROMISE_PYTHON") || {
        echo "ERROR: $PROMISE_PYTHON not found" >&2; return 1; }
    if ! "$py" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
        echo "ERROR: Horizon 27 needs Python >= 3.11 ($py is older)" >&2
        return 1
    fi
    hash=$(cat "$DASH_ROOT/requirements.txt" \
               "$DASH_ROOT/test-requirements.txt" \
               "$DASH_ROOT/constraints.txt" \
               "$REPO_ROOT/python-promiseclient/requirements.txt" \
               <("$py" -c 'import sys; print(sys.version)') |
           sha256sum | cut -d' ' -f1)
    mkdir -p "$PROMISE_CACHE"
    exec 7>"$PROMISE_CACHE/venv-horizon.lock"
    flock 7
    stamp=$HORIZON_VENV/.promise-dashboard-hash
    if [ -x "$HORIZON_VENV/bin/python" ] &&
       [ "$(cat "$stamp" 2>/dev/null)" = "$hash" ]; then
        echo "horizon venv: reusing $HORIZON_VENV"
    else
        echo "horizon venv: building $HORIZON_VENV (new or requirements" \
             "changed; about 2 minutes)"
        local start=$SECONDS
        rm -rf "$HORIZON_VENV"
        "$py" -m venv "$HORIZON_VENV" || { flock -u 7; return 1; }
        # python-promiseclient is not on PyPI: its own requirements are
        # installed, and the package itself comes in through the .pth file.
        req=$(mktemp)
        grep -v -i '^python-promiseclient' "$DASH_ROOT/requirements.txt" \
            > "$req"
        if ! "$HORIZON_VENV/bin/pip" install -q --disable-pip-version-check \
                -c "$DASH_ROOT/constraints.txt" -r "$req" \
                -r "$DASH_ROOT/test-requirements.txt" \
                -r "$REPO_ROOT/python-promiseclient/requirements.txt" \
                2> >(grep -v 'is ignored: it is neither' >&2); then
            rm -f "$req"
            echo "ERROR: pip could not build $HORIZON_VENV" >&2
            flock -u 7
            return 1
        fi
        rm -f "$req"
        echo "$hash" > "$stamp"
        echo "horizon venv: built in $((SECONDS - start))s"
    fi
    local site
    site=$("$HORIZON_VENV/bin/python" -c \
           'import sysconfig; print(sysconfig.get_paths()["purelib"])')
    printf '%s\n%s\n' "$DASH_ROOT" "$REPO_ROOT/python-promiseclient" \
        > "$site/promise-dashboard-dev.pth"
    flock -u 7
}
