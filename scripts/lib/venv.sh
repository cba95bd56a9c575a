# Sourced by the setup scripts: virtualenvs made without ensurepip when the interpreter has pip.
#
# `python -m venv` runs ensurepip, which installs pip (and, on 3.11, setuptools) through a pip
# subprocess: 6 s of CPU, half a minute on a busy 2-core machine, for each venv. When `$PYTHON`
# has a pip that can install into another interpreter (`--python`, pip >= 22.3), the venv is made
# `--without-pip` and that pip installs into it, pip itself included (the version ensurepip
# bundles), in the same run as the venv's packages.

PYTHON=${PYTHON:-python3.11}

_outside_pip() {
  local exe
  exe=$("$PYTHON" -c 'import sys; print(sys.executable)') &&
    "$PYTHON" -m pip --python "$exe" --version >/dev/null 2>&1
}

# make_venv DIR
make_venv() {
  if _outside_pip; then
    "$PYTHON" -m venv --without-pip "$1"
  else
    "$PYTHON" -m venv "$1"
  fi
}

# venv_pip_install DIR ARGS...: `pip install ARGS` into the venv DIR, with pip in it afterwards.
venv_pip_install() {
  local venv=$1 bundled
  shift
  if [ -x "$venv/bin/pip" ]; then
    "$venv/bin/pip" install --disable-pip-version-check "$@"
  else
    bundled=$("$PYTHON" -c 'import ensurepip; print(ensurepip.version())')
    "$PYTHON" -m pip --python "$venv/bin/python" install --disable-pip-version-check \
      "pip==$bundled" "$@"
  fi
}
