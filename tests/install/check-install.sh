#!/bin/sh
# Installs the runtime into a scratch prefix and builds the embedding
# examples against it as an application would: the C one with pkg-config,
# the C++ one with find_package(Kiln). Both must run a compiled model.
#
#   check-install.sh BUILD_DIR SOURCE_DIR C_COMPILER CXX_COMPILER
set -eu
build=$(cd "$1" && pwd)
source=$(cd "$2" && pwd)
cc=$3
cxx=$4
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cmake --install "$build" --prefix "$work/prefix" >/dev/null
"$build/bin/kilnc" "$source/models/lenet.kiln" -o "$work/lenet.kmod"

export PKG_CONFIG_PATH="$work/prefix/lib/pkgconfig"
"$cc" -std=c11 -Wall -Werror "$source/examples/embed/c/classify.c" \
  $(pkg-config --cflags --libs kiln) -o "$work/classify-c"

cmake -S "$source/tests/install/app" -B "$work/app" -G Ninja \
  -DCMAKE_PREFIX_PATH="$work/prefix" -DEXAMPLES="$source/examples" \
  -DCMAKE_C_COMPILER="$cc" -DCMAKE_CXX_COMPILER="$cxx" \
  -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$work/app" >/dev/null

export LD_LIBRARY_PATH="$work/prefix/lib"
c_out=$("$work/classify-c" "$work/lenet.kmod")
cpp_out=$("$work/app/classify-cpp" "$work/lenet.kmod")
echo "$c_out"
echo "$cpp_out"
# The same parameters (seed 0) and images: the same class from both.
first_c=$(echo "$c_out" | head -n 1 | sed 's/ (p.*//')
first_cpp=$(echo "$cpp_out" | head -n 1 | sed 's/ (p.*//')
case "$first_c" in "image 0: class "*) ;; *) echo "bad C output"; exit 1 ;; esac
[ "$first_c" = "$first_cpp" ] || { echo "C and C++ disagree"; exit 1; }
# Nothing of LLVM or MLIR in what an application links.
if ldd "$work/classify-c" | grep -Ei 'llvm|mlir'; then
  echo "the installed runtime pulls in LLVM/MLIR"; exit 1
fi
echo "installed package OK"
