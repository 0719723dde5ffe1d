"""``pip install .`` (not editable) gives a package whose every submodule
imports from the installed copy, not from this checkout."""
import os
import pkgutil
import subprocess
import sys

from tests.conftest import ROOT


def test_installed_package_imports_every_submodule(tmp_path):
    target = tmp_path / 'site'
    subprocess.run([
        sys.executable, '-m', 'pip', 'install', '--quiet', '--no-deps',
        '--no-build-isolation', '--target', str(target), ROOT
    ], check=True, cwd=str(tmp_path))
    import realign_mm
    expected = sorted(
        m.name for m in pkgutil.walk_packages(realign_mm.__path__,
                                               'realign_mm.'))
    script = (
        'import importlib, pkgutil, realign_mm, sys\n'
        f'assert realign_mm.__file__.startswith({str(target)!r}), '
        'realign_mm.__file__\n'
        "names = sorted(m.name for m in pkgutil.walk_packages("
        "realign_mm.__path__, 'realign_mm.'))\n"
        'for n in names: importlib.import_module(n)\n'
        'print("\\n".join(names))\n')
    env = dict(os.environ, PYTHONPATH=str(target))
    out = subprocess.run([sys.executable, '-c', script], check=True,
                         cwd=str(tmp_path), env=env, capture_output=True,
                         text=True).stdout.split()
    assert out == expected
