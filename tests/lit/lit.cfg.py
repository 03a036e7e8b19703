# lit configuration for Kiln's FileCheck tests.
import os

import lit.formats
from lit.llvm import llvm_config

config.name = "Kiln"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".kiln", ".test"]
config.excludes = ["Inputs", "CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.kiln_obj_root)

config.substitutions.append(("%kiln_src", config.kiln_source_dir))
llvm_config.with_system_environment(["HOME", "TMP", "TEMP"])
llvm_config.use_default_substitutions()

tool_dirs = [config.kiln_tools_dir, config.llvm_tools_dir]
llvm_config.add_tool_substitutions(["kiln-opt"], tool_dirs)

# A KILN_SANITIZE build with AddressSanitizer, whose operator new reports a
# failed allocation and aborts instead of throwing std::bad_alloc: tests of
# what Kiln does when memory runs out skip those lines (%if !asan).
if "address" in config.kiln_sanitize:
    config.available_features.add("asan")

import sys
config.substitutions.append(("%python", sys.executable))
# KILN_RUN_TOOL swaps in another build of kiln-run (kiln-run-asan).
from lit.llvm.subst import ToolSubst
kiln_run = os.environ.get("KILN_RUN_TOOL")
if kiln_run:
    config.environment["LSAN_OPTIONS"] = "suppressions=" + os.path.join(
        config.test_source_root, "lsan.supp")
llvm_config.add_tool_substitutions(
    ["kilnc", "kiln-classify", "kiln-classify-c", "kiln-train-example",
     "kiln-train-example-c",
     "not", "split-file",
     ToolSubst("kiln-run", command=kiln_run) if kiln_run else "kiln-run"],
    tool_dirs)
# The path of kiln-run, for scripts that run it themselves.
config.substitutions.append(
    ("%kiln_run", kiln_run or os.path.join(config.kiln_tools_dir, "kiln-run")))
