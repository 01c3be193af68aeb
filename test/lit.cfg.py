# lit configuration for nnc: `.nn` and `.test` files under test/ are shell
# tests (RUN: lines, FileCheck); test/unit is the GoogleTest binary.
import os
import subprocess
import lit.formats

config.name = "nnc"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".nn", ".test", ".nnir"]
config.excludes = ["Inputs", "corpus", "CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py.in"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.nnc_obj_root, "test")

config.environment["PATH"] = os.pathsep.join(
    [config.nnc_tools_dir, config.llvm_tools_dir, config.environment.get("PATH", "")])
for var in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "HOME", "ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"):
    if var in os.environ:
        config.environment[var] = os.environ[var]

config.substitutions.append(("%nnc", os.path.join(config.nnc_tools_dir, "nnc")))
config.substitutions.append(("%stdlib", os.path.join(config.nnc_src_root, "stdlib")))
config.substitutions.append(("%examples", os.path.join(config.nnc_src_root, "examples")))
config.substitutions.append(("%python", "/usr/bin/python3"))
config.substitutions.append(("%fuzzbin", os.path.join(config.nnc_obj_root, "test", "fuzz")))

# A sanitizer build (scripts/sanitize.sh): libraries that `nnc compile` links
# would need the sanitizer runtimes in every program that loads them, so the
# AOT tests declare UNSUPPORTED: sanitizer.
if config.nnc_sanitize.upper() in ("ON", "1", "TRUE", "YES"):
    config.available_features.add("sanitizer")

# Interoperability tests with NumPy itself need it installed (REQUIRES: numpy).
if subprocess.call(["/usr/bin/python3", "-c", "import numpy"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) == 0:
    config.available_features.add("numpy")

# Compiled kernels are cached on disk under $XDG_CACHE_HOME/nnc: keep the
# tests' cache in the build tree, away from the user's.
config.environment["XDG_CACHE_HOME"] = os.path.join(config.test_exec_root, "cache")
