// A runtime source that breaks the boundary: it reaches into LLVM.
#include "llvm/ADT/SmallVector.h"
