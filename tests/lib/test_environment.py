"""The start-here environment check reports versions and names what is missing."""

import sys

from course_lib import environment


def test_version_tuple_reads_release_and_pre_release_versions():
    assert environment.version_tuple("3.10.2") == (3, 10, 2)
    assert environment.version_tuple("8.1.9") > environment.version_tuple("8.1")
    assert environment.version_tuple("2.0.0rc1") == (2, 0, 0)
    assert environment.version_tuple("4.2.0a1") < environment.version_tuple("4.2.1")


def test_this_environment_is_complete(capsys):
    assert environment.check_environment() is True
    assert "Everything the course needs is installed." in capsys.readouterr().out


def test_a_missing_or_old_package_is_named(monkeypatch, capsys):
    monkeypatch.setitem(environment.REQUIRED, "no-such-package", ("no_such_module", "1.0"))
    monkeypatch.setitem(environment.REQUIRED, "numpy", ("numpy", "999.0"))
    assert environment.check_environment() is False
    out = capsys.readouterr().out
    assert "no-such-package" in out and "missing" in out
    assert "Not ready: numpy, no-such-package" in out and "make lab" in out


def test_the_server_side_packages_are_located_not_imported(monkeypatch, capsys):
    for name in environment.SERVER_SIDE:
        monkeypatch.delitem(sys.modules, name, raising=False)
        assert environment.installed_version(name, name) is not None
        assert name not in sys.modules                         # found, and its version read, only
    monkeypatch.setitem(environment.REQUIRED, "jupyterlab", ("no_such_module", "4.2"))
    assert environment.check_environment() is False
    assert "Not ready: jupyterlab" in capsys.readouterr().out
