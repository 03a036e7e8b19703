//===- Layout.cpp - The kiln-layout pass ----------------------------------===//
//
// The policy for the layout convolutions are computed in; the lowering
// (Conv.cpp, ConvGradients.cpp, DirectConv.cpp) is the mechanism.
//
//===----------------------------------------------------------------------===//

#include "kiln/Dialect/KilnDialect.h"
#include "kiln/Dialect/KilnOps.h"
#include "kiln/Transforms/Passes.h"

namespace kiln {
#define GEN_PASS_DEF_KILNLAYOUT
#include "kiln/Transforms/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace {

bool isUnit(ArrayRef<int64_t> stride) {
  return llvm::all_of(stride, [](int64_t s) { return s == 1; });
}

struct LayoutPass : kiln::impl::KilnLayoutBase<LayoutPass> {
  void runOnOperation() override {
    auto planes = StringAttr::get(&getContext(), "planes");
    auto mark = [&](Operation *op) {
      op->setAttr(kiln::KilnDialect::kLayoutAttrName, planes);
    };
    // The planes layout reads each tap at one offset from the output
    // pixel, which takes a unit stride (a transposed convolution has one
    // once its input is spread) and one group.
    getOperation()->walk([&](Operation *op) {
      if (auto conv = dyn_cast<kiln::Conv2DOp>(op)) {
        if (conv.getGroups() == 1 && isUnit(conv.getStride()))
          mark(op);
      } else if (auto conv = dyn_cast<kiln::ConvTranspose2DOp>(op)) {
        if (conv.getGroups() == 1)
          mark(op);
      } else if (auto grad = dyn_cast<kiln::Conv2DFilterGradOp>(op)) {
        if (grad.getGroups() == 1 && isUnit(grad.getStride()))
          mark(op);
      }
    });
  }
};
} // namespace
