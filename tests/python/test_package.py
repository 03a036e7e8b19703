"""What editors and help() see: docstrings on every public name, type
annotations on the API, stubs for the extensions."""

import ast
import inspect
import os

import kiln


def test_every_public_name_is_documented():
    for name in kiln.__all__:
        value = getattr(kiln, name)
        if inspect.ismodule(value) or inspect.isclass(value) or \
                callable(value):
            assert inspect.getdoc(value), f"kiln.{name} has no docstring"
    for name in ("run", "step", "save", "restore", "set_param"):
        assert inspect.getdoc(getattr(kiln.Session, name)), name
    text = inspect.getdoc(kiln.Session)
    assert "seed" in text and "threads" in text


def test_the_api_is_annotated():
    for function in (kiln.compile, kiln.load, kiln.fit, kiln.evaluate,
                     kiln.tune, kiln.datasets.load,
                     kiln.datasets.fashion_mnist, kiln.Session.run,
                     kiln.Session.step):
        signature = inspect.signature(function)
        assert signature.return_annotation is not inspect.Signature.empty, \
            function.__qualname__


def test_the_extensions_have_stubs_and_the_package_is_typed():
    folder = os.path.dirname(kiln.__file__)
    assert os.path.exists(os.path.join(folder, "py.typed"))
    for extension, expected in (("_runtime", {"Session", "Module", "fit",
                                              "prepare_data", "tune"}),
                                ("_compiler", {"compile"})):
        with open(os.path.join(folder, extension + ".pyi")) as stub:
            tree = ast.parse(stub.read())
        names = {node.name for node in tree.body
                 if isinstance(node, (ast.ClassDef, ast.FunctionDef))}
        assert expected <= names, (extension, expected - names)
