#!/bin/sh
# Installs the runtime into a scratch prefix and builds the embedding
# examples against it as an application would: the C one with pkg-config,
# the C++ one with find_package(Kiln). Both must run a compiled model.
#
#   check-install.sh BUILD_DIR SOURCE_DIR C_COMPILER CXX_COMPILER [SANITIZE]
#
# SANITIZE: the sanitizers the runtime was built with (KILN_SANITIZE); the
# applications link their runtime libraries, as they would have to.
set -eu
build=$(cd "$1" && pwd)
source=$(cd "$2" && pwd)
cc=$3
cxx=$4
app_flags=${5:+-fsanitize=$5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cmake --install "$build" --prefix "$work/prefix" >/dev/null
"$build/bin/kilnc" "$source/models/lenet.kiln" -o "$work/lenet.kmod"
"$build/bin/kiln-run" train "$work/lenet.kmod" --data fashion-mnist \
  --limit 10000 --validation 0 --checkpoint "$work/lenet.ckpt" >/dev/null 2>&1
data=/usr/share/datasets/fashion-mnist
zcat "$data/t10k-images-idx3-ubyte.gz" > "$work/images"
zcat "$data/t10k-labels-idx1-ubyte.gz" > "$work/labels"

export PKG_CONFIG_PATH="$work/prefix/lib/pkgconfig"
"$cc" -std=c11 -Wall -Werror $app_flags \
  "$source/examples/embed/c/classify.c" \
  $(pkg-config --cflags --libs kiln) -o "$work/classify-c"

cmake -S "$source/tests/install/app" -B "$work/app" -G Ninja \
  -DCMAKE_PREFIX_PATH="$work/prefix" -DEXAMPLES="$source/examples" \
  -DCMAKE_C_COMPILER="$cc" -DCMAKE_CXX_COMPILER="$cxx" \
  -DCMAKE_EXE_LINKER_FLAGS="$app_flags" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$work/app" >/dev/null

export LD_LIBRARY_PATH="$work/prefix/lib"
run="$work/lenet.kmod $work/lenet.ckpt $work/images $work/labels 1000"
c_out=$("$work/classify-c" $run)
cpp_out=$("$work/app/classify-cpp" $run)
echo "$c_out"
[ "$c_out" = "$cpp_out" ] || { echo "C and C++ disagree"; exit 1; }
accuracy=$(echo "$c_out" | sed -n 's/^accuracy: \([0-9]*\)\..*/\1/p')
[ -n "$accuracy" ] && [ "$accuracy" -ge 70 ] ||
  { echo "the trained model classifies no better than $accuracy%"; exit 1; }
# Nothing of LLVM or MLIR in what an application links.
if ldd "$work/classify-c" | grep -Ei 'llvm|mlir'; then
  echo "the installed runtime pulls in LLVM/MLIR"; exit 1
fi
echo "installed package OK"
