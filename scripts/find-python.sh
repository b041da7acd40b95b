#!/usr/bin/env bash
# Prints the path of a working Python 3.10 interpreter, or explains what to install.
# Rasa Open Source 3.6 supports Python 3.8-3.10 only, so nothing newer will do.
set -u
works() { "$1" -c 'import sys; assert sys.version_info[:2] == (3, 10)' >/dev/null 2>&1; }

if command -v python3.10 >/dev/null 2>&1 && works python3.10; then
  command -v python3.10
  exit 0
fi
# pyenv puts a shim for python3.10 on PATH that fails unless 3.10 is the selected version,
# so look inside pyenv's versions directly.
root="${PYENV_ROOT:-$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")}"
for candidate in $(ls -d "$root"/versions/3.10.* 2>/dev/null | sort -V -r); do
  if works "$candidate/bin/python3.10"; then
    echo "$candidate/bin/python3.10"
    exit 0
  fi
done
cat >&2 <<'MSG'
careline needs Python 3.10 (Rasa Open Source 3.6 does not run on 3.11 or newer).
Install one of:
  - Debian/Ubuntu:  apt-get install python3.10 python3.10-venv
  - pyenv:          pyenv install 3.10.13
then run the command again.
MSG
exit 1
