"""The suite runs against the installed wheel, not a module found by path."""

import importlib.metadata
from pathlib import Path

import cvconnect


def test_cvconnect_is_the_installed_package():
    package = Path(cvconnect.__file__).resolve().parent
    assert package.name == "cvconnect" and package.parent.name == "site-packages", package
    assert (package / "libcvconnect_ffi.so").is_file(), "the library ships inside the package"
    assert importlib.metadata.version("cvconnect") == "0.1.0"
